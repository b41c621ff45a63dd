package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bottles.docker.internal.AgentImages;
import dev.bottles.docker.testimages.FakeApiFixture;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.spi.Settings;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bottle start claude --yes} in a real terminal (a tmux pane), as a new user runs it: the
 * SDK builds the agent image, Claude Code's first screen is its prompt with no dialog, the screen
 * uses the pane's width and follows a resize, Ctrl-C reaches Claude Code, and {@code /exit} exits 0
 * leaving nothing behind. Claude Code talks to the fake Anthropic API; nothing reaches the internet.
 */
class ClaudeTerminalIT {
    private static final String SOCKET = "bottles-it-" + ProcessHandle.current().pid();
    private Path dir;
    private FakeApiFixture api;
    private UpstreamContainer fake;

    @BeforeEach
    void setUp() throws Exception {
        TestImages.requireEngine();
        // the CLI builds the SDK's images on first use; a test run leaves none it made behind
        TestImages.removeAtExitIfNew(AgentImages.reference(Map.of()));
        TestImages.removeAtExitIfNew(BundleImages.describe(TestImages.engine(), new Settings(Map.of(), Map.of()))
                .reference());
        dir = Files.createTempDirectory("bottles-tty-");
        api = new FakeApiFixture(dir);
        TestImages.fakeAnthropic(); // built before the clock starts, so the fake answers Claude Code's first calls
    }

    @AfterEach
    void tearDown() throws Exception {
        tmux("kill-server");
        if (fake != null) {
            fake.close();
        }
        SecureFiles.deleteRecursively(dir);
    }

    @Test
    void startReachesClaudeCodesPromptAtFullWidthFollowsAResizeAndExitsCleanly() throws Exception {
        Path jar = Path.of("target/bottle.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is built by the package phase");
        Path home = dir.resolve("home");
        Path exit = dir.resolve("exit-code");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(
                List.of("tmux", "-L", SOCKET, "new-session", "-d", "-s", "claude", "-x", "150", "-y", "45"));
        for (Map.Entry<String, String> e : Map.of(
                        "BOTTLE_HOME",
                        home.toString(),
                        FakeApiFixture.TOKEN_ENV,
                        api.token(),
                        "CLAUDE_BOTTLE_EGRESS_EXTRA_CA",
                        api.settings().get("CLAUDE_BOTTLE_EGRESS_EXTRA_CA"),
                        "TERM",
                        "xterm-256color")
                .entrySet()) {
            cmd.addAll(List.of("-e", e.getKey() + "=" + e.getValue()));
        }
        Path cliErr = dir.resolve("cli.err");
        cmd.add(javaBin + " -jar " + jar + " start claude --yes 2> " + cliErr + "; echo $? > " + exit + "; sleep 600");
        boolean imageBuilt = TestImages.engine().imageExists(AgentImages.reference(Map.of()));
        long t0 = System.nanoTime();
        run(cmd);
        // the fake joins the bottle's outbound network as soon as the launch has made it
        String[] net = awaitEgressNetwork(Duration.ofMinutes(5));
        fake = api.start(net[1], net[0]);

        String screen = awaitScreen(s -> s.contains("bypass permissions on") && s.contains("❯"), Duration.ofMinutes(5));
        System.out.printf(
                "bottle start claude --yes to Claude Code's prompt: %d ms (agent image %s); the CLI said: %s%n",
                (System.nanoTime() - t0) / 1_000_000,
                imageBuilt ? "cached" : "built by this start",
                Files.readString(cliErr)
                        .lines()
                        .filter(l -> l.contains(" is up ("))
                        .findFirst()
                        .orElse("?")
                        .strip());
        for (String dialog : List.of("trust", "theme", "Make auto mode", "Security", "WARNING", "API key")) {
            assertFalse(screen.contains(dialog), "no dialog (" + dialog + ") before the prompt:\n" + screen);
        }
        assertEquals(150, widestRule(screen), "Claude Code draws to the pane's full width:\n" + screen);

        tmux("resize-window", "-t", "claude", "-x", "100", "-y", "40");
        screen = awaitScreen(s -> widestRule(lastLines(s, 8)) == 100, Duration.ofSeconds(30));

        api.text("MARKER-TTY-1", "the terminal works end to end");
        tmux("send-keys", "-t", "claude", "-l", "MARKER-TTY-1 hello");
        tmux("send-keys", "-t", "claude", "Enter");
        awaitScreen(s -> s.contains("the terminal works end to end"), Duration.ofSeconds(60));

        tmux("send-keys", "-t", "claude", "C-c");
        screen = awaitScreen(s -> s.toLowerCase().contains("again to exit"), Duration.ofSeconds(20));
        assertFalse(Files.exists(exit), "Ctrl-C went to Claude Code, not to the CLI");
        List<String> contacted = api.seen();
        // a foreign container on the bottle's network would hold it up at teardown: the fake goes first
        fake.close();
        fake = null;

        tmux("send-keys", "-t", "claude", "-l", "/exit");
        Thread.sleep(500);
        tmux("send-keys", "-t", "claude", "Enter");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(exit) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(exit), "the CLI ended after /exit:\n" + capture());
        assertEquals("0", Files.readString(exit).strip(), capture());
        assertEquals(Set.of(), TestImages.labelled(net[1]), "nothing of the bottle is left on the engine");
        assertFalse(Files.exists(home.resolve("state").resolve(net[1])), "its state went with it");
        assertFalse(Files.exists(home.resolve("queue").resolve(net[1])), "its supervise queue went with it");
        System.out.println("Claude Code contacted, in a terminal session:\n  " + String.join("\n  ", contacted));
    }

    @Test
    void aCliEndedBySigtermGivesTheTerminalBackAndSettlesTheBottleKeepingItsState() throws Exception {
        Path jar = Path.of("target/bottle.jar").toAbsolutePath();
        Path home = dir.resolve("home");
        Path after = dir.resolve("after");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(List.of(
                "tmux",
                "-L",
                SOCKET,
                "new-session",
                "-d",
                "-s",
                "claude",
                "-x",
                "120",
                "-y",
                "40",
                "-e",
                "BOTTLE_HOME=" + home,
                "-e",
                FakeApiFixture.TOKEN_ENV + "=" + api.token(),
                javaBin + " -Dbottles.it=" + dir.getFileName() + " -jar " + jar + " start claude --yes -- bash;"
                        + " echo \"$? $(stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo|isig)$' | tr '\\n' ' ')\" > "
                        + after + "; sleep 600"));
        awaitScreen(s -> s.contains("bash-"), Duration.ofMinutes(5));
        String[] net = awaitEgressNetwork(Duration.ofSeconds(10));
        Process pgrep = new ProcessBuilder("pgrep", "-f", "^" + javaBin + " -Dbottles.it=" + dir.getFileName()).start();
        String pid = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertFalse(pid.isEmpty() || pid.contains("\n"), "one CLI process: " + pid);
        run(List.of("kill", "-TERM", pid));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(after) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(
                "143 isig icanon echo",
                Files.readString(after).strip(),
                "the CLI exited as stopped and the terminal is back in its normal mode");
        assertEquals(Set.of(), TestImages.labelled(net[1]), "the bottle's runtime is gone");
        assertTrue(
                Files.isRegularFile(home.resolve("state").resolve(net[1]).resolve(".preserve")),
                "its state is kept for resume");
    }

    /** Finds the launch's outbound network: {network, identity}. */
    private static String[] awaitEgressNetwork(Duration timeout) throws Exception {
        try {
            return Tmux.awaitBottleNetwork("claude", timeout);
        } catch (AssertionError e) {
            return fail(e.getMessage() + ":\n" + capture());
        }
    }

    private static int widestRule(String screen) {
        int best = 0;
        for (String line : screen.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && t.chars().allMatch(c -> c == '─')) {
                best = Math.max(best, t.length());
            }
        }
        return best;
    }

    private static String lastLines(String s, int n) {
        List<String> lines = s.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static String awaitScreen(Predicate<String> ready, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String s = "";
        while (System.nanoTime() < deadline) {
            s = capture();
            if (ready.test(s)) {
                return s;
            }
            Thread.sleep(50);
        }
        return fail("the screen never got there; it shows:\n" + s);
    }

    private static String capture() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", "claude");
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
