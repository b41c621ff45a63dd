package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.docker.internal.AgentImages;
import dev.bottles.docker.testimages.FakeApiFixture;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.spi.Settings;
import dev.bottles.state.SecureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An operator reaching a bottle from outside the process that launched it: the dashboard puts the
 * bottle's real Claude Code on its own terminal (resuming the conversation) and stops the bottle
 * through its launching program, which keeps the state and the transcript; {@code bottle attach}
 * carries the launching program's forwarded values, no other host user can knock on its door, and
 * {@code bottle stop} still works after that program was killed.
 */
class OperatorReachIT {
    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String JAR =
            Path.of("target/bottle.jar").toAbsolutePath().toString();

    @Test
    void theDashboardAttachesToClaudeCodeAndStopsTheBottleThroughItsProgram() throws Exception {
        TestImages.requireEngine();
        TestImages.removeAtExitIfNew(AgentImages.reference(Map.of()));
        TestImages.removeAtExitIfNew(BundleImages.describe(TestImages.engine(), new Settings(Map.of(), Map.of()))
                .reference());
        Path dir = Files.createTempDirectory("bottles-reach-");
        Path home = dir.resolve("home");
        Path exit = dir.resolve("exit");
        FakeApiFixture api = new FakeApiFixture(dir);
        TestImages.fakeAnthropic();
        UpstreamContainer fake = null;
        String id = null;
        try (Tmux tmux = new Tmux()) {
            tmux.run(
                    "new-session",
                    "-d",
                    "-s",
                    "s",
                    "-n",
                    "one",
                    "-x",
                    "150",
                    "-y",
                    "45",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    "-e",
                    FakeApiFixture.TOKEN_ENV + "=" + api.token(),
                    "-e",
                    "CLAUDE_BOTTLE_EGRESS_EXTRA_CA=" + api.settings().get("CLAUDE_BOTTLE_EGRESS_EXTRA_CA"),
                    "-e",
                    "TERM=xterm-256color",
                    JAVA + " -jar " + JAR + " start claude --yes; echo $? > " + exit + "; sleep 600");
            String[] net = Tmux.awaitBottleNetwork("claude", Duration.ofMinutes(5));
            id = net[1];
            String bottle = id;
            fake = api.start(bottle, net[0]);
            tmux.await("s:one", s -> s.contains("bypass permissions on") && s.contains("❯"), Duration.ofMinutes(5));
            api.text("MARKER-ONE", "first words in the bottle");
            tmux.run("send-keys", "-t", "s:one", "-l", "MARKER-ONE hello");
            tmux.run("send-keys", "-t", "s:one", "Enter");
            tmux.await("s:one", s -> s.contains("first words in the bottle"), Duration.ofSeconds(60));

            tmux.run(
                    "new-window",
                    "-t",
                    "s",
                    "-n",
                    "dash",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    "-e",
                    "TERM=xterm-256color",
                    JAVA + " -jar " + JAR + " dashboard; sleep 600");
            tmux.await("s:dash", s -> s.contains(bottle), Duration.ofSeconds(60));
            tmux.run("send-keys", "-t", "s:dash", "Tab");
            tmux.await("s:dash", s -> s.contains("> docker"), Duration.ofSeconds(10));
            tmux.run("send-keys", "-t", "s:dash", "Enter");
            String attached = tmux.await(
                    "s:dash",
                    s -> s.contains("bypass permissions on") && s.contains("❯") || s.contains("press Enter to return"),
                    Duration.ofMinutes(1));
            assertFalse(attached.contains("press Enter to return"), attached);
            assertTrue(
                    attached.contains("first words in the bottle"),
                    "Claude Code resumed the conversation:\n" + attached);
            api.text("MARKER-DASH", "an operator joined");
            tmux.run("send-keys", "-t", "s:dash", "-l", "MARKER-DASH hi");
            tmux.run("send-keys", "-t", "s:dash", "Enter");
            tmux.await("s:dash", s -> s.contains("an operator joined"), Duration.ofSeconds(60));
            tmux.run("send-keys", "-t", "s:dash", "-l", "/exit");
            Thread.sleep(500);
            tmux.run("send-keys", "-t", "s:dash", "Enter");
            String back = tmux.await(
                    "s:dash", s -> s.contains("the agent in " + bottle + " exited with"), Duration.ofSeconds(60));
            assertTrue(back.contains("the agent in " + bottle + " exited with 0"), back);

            // a foreign container on the bottle's network would hold its teardown up: the fake goes first
            fake.close();
            fake = null;
            tmux.run("send-keys", "-t", "s:dash", "x");
            tmux.await("s:dash", s -> s.contains("stop " + bottle + "?"), Duration.ofSeconds(10));
            long t0 = System.nanoTime();
            tmux.run("send-keys", "-t", "s:dash", "y");
            String stopped = tmux.await(
                    "s:dash", s -> s.contains("stopped " + bottle) || s.contains("cannot stop"), Duration.ofMinutes(2));
            System.out.printf(
                    "dashboard stop through the launching program (transcript saved, runtime removed): %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertTrue(stopped.contains("stopped " + bottle + " (its program closed it)"), stopped);
            await(() -> Files.exists(exit), "the launching CLI ended:\n" + tmux.screen("s:one"));
            assertEquals(Set.of(), TestImages.labelled(bottle), "nothing of the bottle is left on the engine");
            Path state = home.resolve("state").resolve(bottle);
            assertTrue(Files.isRegularFile(state.resolve(".preserve")), "its state is kept for resume");
            assertTrue(
                    Files.size(state.resolve("transcript").resolve("projects.tar")) > 0,
                    "its program saved the transcript before the runtime went");
        } finally {
            if (fake != null) {
                fake.close();
            }
            if (id != null) {
                TestImages.removeLabelled(id);
            }
            SecureFiles.deleteRecursively(dir);
        }
    }

    @Test
    void attachCarriesTheOwnersValuesNoOtherUserGetsInAndStopWorksOnceTheOwnerIsGone() throws Exception {
        TestImages.requireEngine();
        Path dir = Files.createTempDirectory("bottles-reach-");
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("bottles/fw.md"), "---\nenv:\n  TOKEN: \"${HOST_TOKEN}\"\n---\n");
        Files.writeString(home.resolve("agents/fw.md"), "---\nbottle: fw\n---\n");
        String token = "tk-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String sha = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        String marker = "bottles.it=" + dir.getFileName();
        String cli = "BOTTLE_HOME=" + home + " " + JAVA + " -jar " + JAR;
        String launched = null;
        try (Tmux tmux = new Tmux()) {
            tmux.run(
                    "new-session",
                    "-d",
                    "-s",
                    "s",
                    "-x",
                    "150",
                    "-y",
                    "40",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    "-e",
                    "HOST_TOKEN=" + token,
                    // no reaper: 'bottle stop' of a dead owner's bottle is what is tried here, and the
                    // reaper would remove it first (ReaperIT covers that)
                    "-e",
                    "BOTTLE_REAPER=off",
                    JAVA + " -D" + marker + " -jar " + JAR + " start fw --yes"
                            + " --set CLAUDE_BOTTLE_IMAGE=" + TestImages.agent() + " --set CLAUDE_BOTTLE_SIDECAR_IMAGE="
                            + TestImages.bundle() + " -- sh -c 'echo agent-$((40+2))-up; sleep 600'; sleep 600");
            tmux.await(s -> s.contains("agent-42-up"), Duration.ofMinutes(3));
            String id;
            try (Stream<Path> states = Files.list(home.resolve("state"))) {
                id = states.findFirst().orElseThrow().getFileName().toString();
            }
            launched = id;
            Path socket = home.resolve("state").resolve(id).resolve("control.sock");
            assertTrue(Files.exists(socket), "the launching program serves its door:\n" + tmux.screen());

            long t0 = System.nanoTime();
            String out = Tmux.exec(List.of(
                    "sh",
                    "-c",
                    cli + " attach " + id + " -- sh -c 'echo sees-$(printf %s \"$TOKEN\" | sha256sum | cut -c1-64)'"));
            System.out.printf(
                    "bottle attach <id> -- sh -c ... from a new JVM: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertTrue(out.contains("sees-" + sha), "the attach carries the owner's forwarded value:\n" + out);
            assertFalse(out.contains(token), out);

            // a local user on the host: the state dir (0700) and the socket (0600) keep them out
            if ("root".equals(System.getProperty("user.name"))) {
                int other = run(
                        "setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "curl",
                        "-s",
                        "--max-time",
                        "5",
                        "--unix-socket",
                        socket.toString(),
                        "http://owner/");
                assertEquals(7, other, "another host user cannot connect to the launching program");
                assertNotEquals(
                        7,
                        run("curl", "-s", "--max-time", "5", "--unix-socket", socket.toString(), "http://owner/"),
                        "while its own user can (the check above is meaningful)");
            }
            // and no container of the bottle mounts the state dir's root, where the door is
            String mounts = Tmux.exec(List.of(
                    "sh",
                    "-c",
                    "docker ps -q --filter label=dev.bottles.identity=" + id
                            + " | xargs -r docker inspect --format '{{range .Mounts}}{{.Source}} {{end}}'"));
            for (String m : mounts.split("\\s+")) {
                assertNotEquals(home.resolve("state").resolve(id).toString(), m, "a container mounts " + m);
                assertFalse(m.endsWith("control.sock"), m);
            }

            String pid = Tmux.exec(List.of("pgrep", "-f", "^" + JAVA + " -D" + marker))
                    .strip();
            assertTrue(pid.matches("\\d+"), "one launching process: " + pid);
            assertEquals(0, run("kill", "-KILL", pid));
            t0 = System.nanoTime();
            String stop = Tmux.exec(List.of("sh", "-c", cli + " stop " + id));
            System.out.printf(
                    "bottle stop <id> of a bottle whose owner was killed: %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            assertTrue(stop.contains("stopped " + id) && stop.contains("its program did not answer"), stop);
            assertEquals(Set.of(), TestImages.labelled(id), "its runtime is gone");
            assertTrue(
                    Files.isRegularFile(home.resolve("state").resolve(id).resolve(".preserve")), "its state is kept");
            String again = Tmux.exec(List.of("sh", "-c", cli + " attach " + id + " -- true"));
            assertTrue(again.contains("is not running on docker") && again.contains("bottle resume " + id), again);
        } finally {
            if (launched != null) {
                TestImages.removeLabelled(launched);
            }
            SecureFiles.deleteRecursively(dir);
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static void await(BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Thread.sleep(100);
        }
    }
}
