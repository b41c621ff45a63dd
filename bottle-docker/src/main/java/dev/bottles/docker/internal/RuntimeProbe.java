package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.Labels;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether the agent runs under gVisor. A registered {@code runsc} is not trusted until one
 * throwaway container ran under it (Debian's {@code runsc} registers fine and then fails to start
 * containers on some machines); the answer is cached per image, and a failure is logged once.
 */
public final class RuntimeProbe {
    /** gVisor's runtime name. */
    public static final String RUNSC = "runsc";

    private static final System.Logger LOG = System.getLogger(RuntimeProbe.class.getName());

    private final Map<String, Boolean> works = new ConcurrentHashMap<>();

    /**
     * The runtime chosen and why.
     *
     * @param runtime {@code runsc}, or null for the engine's default
     * @param note why
     */
    public record Choice(@Nullable String runtime, String note) {}

    /**
     * Chooses the agent's runtime.
     *
     * @param engine the engine
     * @param mode {@code auto}, {@code runsc} or {@code default}
     * @param image an image to test runsc with
     * @return the choice
     */
    public Choice choose(DockerEngine engine, String mode, String image) {
        if (mode.equals("default")) {
            return new Choice(null, "default runtime, as BOTTLE_RUNTIME=default asks");
        }
        boolean registered = engine.info().runtimes().contains(RUNSC);
        if (mode.equals(RUNSC)) {
            if (!registered) {
                throw new BottleException("BOTTLE_RUNTIME=runsc, but the engine has no runsc runtime; install gVisor"
                        + " and register it in daemon.json, or use BOTTLE_RUNTIME=auto");
            }
            return new Choice(RUNSC, "gVisor, as BOTTLE_RUNTIME=runsc asks");
        }
        if (!registered) {
            return new Choice(null, "default runtime: the engine has no runsc (gVisor) registered");
        }
        if (!engine.imageExists(image)) {
            return new Choice(
                    null, "default runtime: runsc is registered but untested (image " + image + " is not built yet)");
        }
        boolean ok = works.computeIfAbsent(image, i -> test(engine, i));
        return ok
                ? new Choice(RUNSC, "gVisor (runsc) is registered and ran a test container")
                : new Choice(null, "default runtime: runsc is registered but could not start a container");
    }

    private static boolean test(DockerEngine engine, String image) {
        String name = "claude-bottle-runsc-probe-" + Long.toHexString(System.nanoTime());
        try {
            String id = engine.createContainer(ContainerSpec.builder(name, image, "none")
                    .cmd(List.of("true"))
                    .labels(Labels.of("runsc-probe", "docker", "probe"))
                    .runtime(RUNSC)
                    .hardening(ContainerSpec.Hardening.agent(ContainerSpec.PIDS_LIMIT, 0))
                    .build());
            try {
                engine.start(id);
                return true;
            } finally {
                engine.removeContainer(id);
            }
        } catch (BottleException e) {
            LOG.log(
                    Level.WARNING,
                    "runsc is registered but failed to start a container; bottles use the default" + " runtime: "
                            + e.getMessage());
            return false;
        }
    }
}
