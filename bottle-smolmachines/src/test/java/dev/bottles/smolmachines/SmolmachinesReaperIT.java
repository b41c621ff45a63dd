package dev.bottles.smolmachines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import dev.bottles.testkit.FakeSmolvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper removes a {@code kill -9}ed program's smolmachines bottle, its VM and its bundle on the
 * engine, within the bound, and keeps its state: the reaper reaps through the backend's own cleanup.
 */
class SmolmachinesReaperIT {
    @TempDir
    Path tmp;

    private Process program;
    private String identity = "";

    @BeforeAll
    static void engine() {
        TestImages.requireEngine();
        TestImages.bundle();
    }

    @AfterEach
    void stop() throws Exception {
        if (program != null) {
            program.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (!identity.isEmpty()) {
            TestImages.removeLabelled(identity);
        }
    }

    /** A user's program: launches a smolmachines bottle on the fake smolvm, prints its identity, waits. */
    public static void main(String[] args) throws Exception {
        Path tmp = Path.of(args[0]);
        BottleSpec spec = BottleSpec.builder("guest")
                .manifest(Manifest.builder()
                        .bottle(BottleDefinition.builder("vm").build())
                        .agent(AgentDefinition.builder("guest").bottle("vm").build())
                        .build())
                .home(tmp.resolve("home"))
                .userCwd(tmp)
                // in the environment, not as settings: the reaper, a process of its own, finds smolvm there too
                .hostEnvironment(Map.of(
                        SmolmachinesSettings.SMOLVM,
                        args[1],
                        SmolmachinesSettings.CHECK_KVM,
                        "false",
                        SmolmachinesSettings.CACHE,
                        tmp.resolve("cache").toString()))
                .setting(BundleLaunchSpec.IMAGE_SETTING, args[2])
                .build();
        RunningBottle b = Bottles.using(new SmolmachinesBackend()).prepare(spec).launch();
        System.out.println("LAUNCHED " + b.identity());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void aKilledProgramsVmAndBundleAreReapedAndItsStateKept() throws Exception {
        FakeSmolvm smolvm = FakeSmolvm.install(tmp.resolve("smolvm"));
        program = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SmolmachinesReaperIT.class.getName(),
                        tmp.toString(),
                        smolvm.executable().toString(),
                        TestImages.bundle())
                .redirectError(tmp.resolve("program.err").toFile())
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(program.getInputStream(), StandardCharsets.UTF_8));
        identity = CompletableFuture.supplyAsync(() -> {
                    try {
                        String l;
                        while ((l = out.readLine()) != null) {
                            if (l.startsWith("LAUNCHED ")) {
                                return l.substring("LAUNCHED ".length());
                            }
                        }
                    } catch (java.io.IOException e) {
                        // ended
                    }
                    return "";
                })
                .get(3, TimeUnit.MINUTES);
        assertFalse(identity.isEmpty(), java.nio.file.Files.readString(tmp.resolve("program.err")));
        assertEquals(1, smolvm.machines().size(), "its VM runs");
        assertFalse(TestImages.labelled(identity).isEmpty(), "its bundle runs");

        program.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
        long t0 = System.nanoTime();
        StateDir state = new BottleHome(tmp.resolve("home")).state(identity);
        while (!(smolvm.machines().isEmpty() && TestImages.labelled(identity).isEmpty() && state.isPreserved())
                && System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
            Thread.sleep(100);
        }
        System.out.println("REAPER smolmachines delay_ms=" + (System.nanoTime() - t0) / 1_000_000);
        assertEquals(List.of(), smolvm.machines(), "the reaper deleted the VM");
        assertEquals(java.util.Set.of(), TestImages.labelled(identity), "and the bundle");
        assertTrue(state.isPreserved(), "and kept the state for resume");
    }
}
