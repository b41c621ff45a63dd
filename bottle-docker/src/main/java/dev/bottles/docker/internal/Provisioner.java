package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.docker.DockerSettings;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.Labels;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.AgentFiles;
import dev.bottles.sidecars.Endpoints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Puts {@link AgentFiles} into an agent container as one tar (before it starts; the home's files
 * belong to the agent's uid), then, once it runs, installs the egress CA into its trust bundle.
 */
public final class Provisioner {
    private Provisioner() {}

    /**
     * Copies the agent's files into its container; works before the container starts.
     *
     * @param engine the engine
     * @param container the agent container
     * @param plan the plan
     * @param bundleIp where the agent reaches the bundle
     */
    public static void copyFiles(DockerEngine engine, String container, DockerBottlePlan plan, String bundleIp) {
        copy(engine, container, plan, files(plan, bundleIp));
    }

    /**
     * Copies the bottle's files in, as {@link #copyFiles} does, and its environment to
     * {@link Labels#WARM_ENV_FILE} (root's, readable by the agent, whose environment it is anyway):
     * a claimed warm agent's container was made before the bottle, so its environment lives there
     * for those who reach the bottle from another program.
     *
     * @param engine the engine
     * @param container the agent container, running
     * @param plan the plan
     * @param bundleIp the bundle's address on the agent's network
     * @param env the agent's environment
     */
    public static void copyFilesAndEnv(
            DockerEngine engine, String container, DockerBottlePlan plan, String bundleIp, Map<String, String> env) {
        List<AgentFiles.AgentFile> files = new ArrayList<>(files(plan, bundleIp));
        files.add(new AgentFiles.AgentFile(
                Labels.WARM_ENV_FILE.substring(1),
                AgentEnvironment.envFile(env).getBytes(StandardCharsets.UTF_8),
                0644,
                false));
        copy(engine, container, plan, files);
    }

    /**
     * Copies only the egress CA's certificate in, for a warm pool member's agent to trust before
     * any bottle claims it.
     *
     * @param engine the engine
     * @param container the agent container
     * @param plan the member's plan
     */
    public static void copyCa(DockerEngine engine, String container, DockerBottlePlan plan) {
        String ca = AgentEnvironment.CA_CERT_PATH.substring(1);
        copy(
                engine,
                container,
                plan,
                files(plan, "0.0.0.0").stream().filter(f -> f.path().equals(ca)).toList());
    }

    private static List<AgentFiles.AgentFile> files(DockerBottlePlan plan, String bundleIp) {
        return AgentFiles.of(
                plan.bundle().sidecars(),
                Endpoints.inBundle(bundleIp, plan.bundle().sidecars().bundle()),
                plan.agent().promptFile(),
                plan.agent().skills(),
                plan.agent().home());
    }

    private static void copy(
            DockerEngine engine, String container, DockerBottlePlan plan, List<AgentFiles.AgentFile> files) {
        engine.copyTar(container, "/", new ByteArrayInputStream(tar(plan, files)));
    }

    private static byte[] tar(DockerBottlePlan plan, List<AgentFiles.AgentFile> files) {
        String home = plan.agent().home().replaceFirst("^/+", "").replaceFirst("/+$", "");
        int uid = plan.agent().uid();
        // Directories under the home belong to the agent too, or it could not write into its own
        // ~/.claude; shallowest first so each exists before what it holds.
        Set<String> dirs =
                new TreeSet<>(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        for (AgentFiles.AgentFile f : files) {
            for (String d = parent(f.path()); f.agentOwned() && d.startsWith(home); d = parent(d)) {
                dirs.add(d);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : dirs) {
                put(out, d + "/", new byte[0], 040755, uid);
            }
            for (AgentFiles.AgentFile f : files) {
                put(out, f.path(), f.content(), 0100000 | f.mode(), f.agentOwned() ? uid : 0);
            }
            out.finish();
        } catch (IOException e) {
            throw new BottleException("cannot build the provisioning archive (" + e + ")", e);
        }
        return bytes.toByteArray();
    }

    private static String parent(String path) {
        return path.substring(0, Math.max(0, path.lastIndexOf('/')));
    }

    private static void put(TarArchiveOutputStream out, String name, byte[] content, int mode, int owner)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(mode);
        e.setIds(owner, owner);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    /**
     * Checks the running agent against the image contract ({@code docs/agent-image.md}) as the user
     * commands run as: a writable home, a writable {@code /workspace}, {@code git} and {@code sleep}
     * on {@code PATH}.
     *
     * @param engine the engine
     * @param container the started agent container
     * @param plan the plan
     * @throws BottleException naming the image, each broken rule and the fix
     */
    public static void checkContract(DockerEngine engine, String container, DockerBottlePlan plan) {
        String script = "for d in \"$1\" " + WORKSPACE + "; do [ -d \"$d\" ] && [ -w \"$d\" ] || echo \"$d is not a"
                + " directory the agent's user can write\"; done; for c in git sleep; do command -v $c >/dev/null 2>&1"
                + " || echo \"$c is not on PATH\"; done";
        var r = engine.exec(
                        new DockerEngine.Command(
                                container,
                                List.of(
                                        "/bin/sh",
                                        "-c",
                                        script,
                                        "contract",
                                        plan.agent().home()),
                                plan.agent().user(),
                                "/",
                                List.of()),
                        Duration.ofSeconds(30))
                .result();
        String broken = r.stdout().strip();
        if (r.exitCode() == 127 || r.exitCode() == 126) {
            broken = "/bin/sh cannot run (" + r.stderr().strip() + ")";
        }
        if (!broken.isEmpty()) {
            throw new BottleException("image " + plan.images().base() + " breaks the agent image contract for user "
                    + plan.agent().user() + ": " + broken.replace("\n", "; ") + ". Give the image a user with uid "
                    + plan.agent().uid() + " owning " + plan.agent().home() + " and " + WORKSPACE + ", with git"
                    + " installed (docs/agent-image.md), or leave " + DockerSettings.IMAGE
                    + " unset to use the SDK's image");
        }
    }

    /** The agent's working directory, which the image contract requires. */
    public static final String WORKSPACE = "/workspace";

    /**
     * Installs the copied egress CA into the running agent's system trust bundle.
     *
     * @param engine the engine
     * @param container the started agent container
     */
    public static void trustCa(DockerEngine engine, String container) {
        var trusted = engine.exec(
                new DockerEngine.Command(
                        container, List.of("/bin/sh", "-c", AgentFiles.TRUST_SCRIPT), "0", "/", List.of()),
                Duration.ofSeconds(60));
        if (trusted.result().exitCode() != 0) {
            throw new BottleException("installing the egress CA in the agent failed (exit "
                    + trusted.result().exitCode() + "): "
                    + trusted.result().stderr().strip());
        }
    }
}
