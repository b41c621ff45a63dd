package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.spi.Subnet;
import dev.bottles.state.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bottle start --yes}, {@code list} and {@code cleanup} on the real engine. */
class BottleCliIT {
    @TempDir
    Path dir;

    CliFixture cli;
    String[] images;

    @BeforeEach
    void setUp() throws Exception {
        TestImages.requireEngine();
        cli = new CliFixture(dir);
        images = new String[] {
            "--set",
            "CLAUDE_BOTTLE_IMAGE=" + TestImages.agent(),
            "--set",
            "CLAUDE_BOTTLE_SIDECAR_IMAGE=" + TestImages.bundle()
        };
    }

    private String[] args(String... a) {
        List<String> all = new ArrayList<>(List.of(a));
        int dash = all.indexOf("--");
        all.addAll(dash < 0 ? all.size() : dash, List.of(images));
        return all.toArray(String[]::new);
    }

    @Test
    void startRunsANonInteractiveCommandAndSettlesWithItsExitCode() throws Exception {
        CliFixture.Run r = cli.run(
                "",
                args(
                        "start",
                        "demo",
                        "--yes",
                        "--backend=docker",
                        "--home",
                        cli.home.toString(),
                        "--",
                        "sh",
                        "-c",
                        "echo from-the-bottle; exit 3"));
        assertEquals(3, r.code(), r.err());
        assertEquals("from-the-bottle\n", r.attached());
        assertTrue(r.out().contains("bundle_image"), "the preflight plan was shown: " + r.out());
        String id = r.out().lines().findFirst().orElseThrow().split(" ")[1];
        assertTrue(r.err().contains("bottle resume " + id), r.err());
        assertTrue(Files.exists(cli.home.resolve("state").resolve(id).resolve(".preserve")));
        assertEquals(Set.of(), TestImages.labelled(id), "the runtime goes either way");

        CliFixture.Run list = cli.run("", "list");
        assertEquals(0, list.code());
        assertFalse(list.out().contains(id), list.out());
    }

    @Test
    void listShowsARunningBottleWithItsBackendAgentAndServices() throws Exception {
        BottleSpec spec = BottleSpec.builder("demo")
                .home(cli.home)
                .userCwd(cli.cwd)
                .backend("docker")
                .hostEnvironment(Map.of("DEMO_TOKEN", "t", "DEMO_HOST_VALUE", "v"))
                .setting("CLAUDE_BOTTLE_IMAGE", TestImages.agent())
                .setting("CLAUDE_BOTTLE_SIDECAR_IMAGE", TestImages.bundle())
                .build();
        try (RunningBottle b = Bottles.prepare(spec).launch()) {
            CliFixture.Run list = cli.run("", "list", "--home", cli.home.toString());
            assertEquals(0, list.code(), list.err());
            String line = list.out()
                    .lines()
                    .filter(l -> l.contains(b.identity()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(list.out()));
            assertTrue(
                    line.matches("docker\\s+" + b.identity() + "\\s+demo\\s+egress,pipelock\\s+running\\s+pid "
                            + ProcessHandle.current().pid() + " on \\S+ \\(running\\), lease renewed [0-9]s ago"),
                    "with its owner, this program: " + line);
        }
    }

    @Test
    void cleanupShowsWhatItWouldRemoveAsksAndRemovesOrphans() throws Exception {
        DockerEngine engine = TestImages.engine();
        // an orphan: its owner is gone; and a live program's network (this one's), which cleanup keeps
        String orphan = "claude-bottle-net-orphan-" + ProcessHandle.current().pid();
        Owner gone = new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1));
        engine.createNetwork(
                orphan,
                new Subnet(192, 168, 251),
                true,
                Map.of(
                        "dev.bottles.identity",
                        "orphan-cli",
                        "dev.bottles.backend",
                        "docker",
                        "dev.bottles.role",
                        "network",
                        Owner.LABEL,
                        gone.label()));
        String mine = "claude-bottle-net-mine-" + ProcessHandle.current().pid();
        engine.createNetwork(
                mine,
                new Subnet(192, 168, 252),
                true,
                Map.of(
                        "dev.bottles.identity",
                        "mine-cli",
                        "dev.bottles.backend",
                        "docker",
                        "dev.bottles.role",
                        "network"));
        try {
            CliFixture.Run dry = cli.run("", "cleanup", "--dry-run", "--home", cli.home.toString());
            assertEquals(0, dry.code(), dry.err());
            assertTrue(
                    dry.out()
                            .contains("would remove network " + orphan + " (owner pid " + gone.pid() + " on "
                                    + gone.host() + " is gone)"),
                    "each item with its reason: " + dry.out());
            assertFalse(dry.out().contains(mine), dry.out());
            assertEquals(
                    1,
                    engine.networks(Map.of("dev.bottles.identity", "orphan-cli"))
                            .size(),
                    "a dry run removes nothing");

            CliFixture.Run asked = cli.run("n\n", "cleanup", "--home", cli.home.toString());
            assertEquals(ExitCodes.DECLINED, asked.code(), asked.err());
            assertTrue(asked.out().contains("would remove network " + orphan), asked.out());
            assertTrue(asked.err().contains("Remove these? [y/N]"));
            assertEquals(
                    1,
                    engine.networks(Map.of("dev.bottles.identity", "orphan-cli"))
                            .size());

            CliFixture.Run done = cli.run("", "cleanup", "--yes", "--home", cli.home.toString());
            assertEquals(0, done.code(), done.err());
            assertTrue(done.out().contains("removed network " + orphan), done.out());
            assertEquals(List.of(), engine.networks(Map.of("dev.bottles.identity", "orphan-cli")));
            assertFalse(done.out().contains(mine), "a live program's network is not an orphan: " + done.out());
            assertEquals(
                    1,
                    engine.networks(Map.of("dev.bottles.identity", "mine-cli")).size(),
                    "and it is still there");
        } finally {
            engine.removeNetwork(orphan);
            engine.removeNetwork(mine);
        }
    }
}
