package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bottles.docker.testimages.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A tmux server of a test's own, to run the CLI in a real terminal and read its screen. */
final class Tmux implements AutoCloseable {
    private final String socket = "bottles-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /**
     * Runs a tmux command on this server.
     *
     * @param args the tmux arguments
     * @return what it printed
     */
    String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /**
     * Returns the session {@code s}'s screen.
     *
     * @return the visible lines
     */
    String screen() throws IOException, InterruptedException {
        return screen("s");
    }

    /**
     * Returns a window's screen.
     *
     * @param target e.g. {@code s:dash}
     * @return the visible lines
     */
    String screen(String target) throws IOException, InterruptedException {
        return run("capture-pane", "-p", "-J", "-t", target);
    }

    /**
     * Waits for the screen to satisfy a test.
     *
     * @param ready the test
     * @param timeout how long to wait
     * @return the screen
     */
    String await(Predicate<String> ready, Duration timeout) throws Exception {
        return await("s", ready, timeout);
    }

    /**
     * Waits for a window's screen to satisfy a test.
     *
     * @param target the window
     * @param ready the test
     * @param timeout how long to wait
     * @return the screen
     */
    String await(String target, Predicate<String> ready, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen(target);
            if (ready.test(s)) {
                return s;
            }
            Thread.sleep(50);
        }
        return fail("the screen never got there; it shows:\n" + s);
    }

    /**
     * Waits for a launch of {@code agent} to make its outbound network, which is when a test can
     * join a fake upstream to it.
     *
     * @param agent the agent's name
     * @param timeout how long to wait
     * @return {network name, bottle identity}
     */
    static String[] awaitBottleNetwork(String agent, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (var n : TestImages.engine().networks(Map.of("dev.bottles.role", "network"))) {
                String id = n.labels().get("dev.bottles.identity");
                if (n.name().startsWith("claude-bottle-egress-" + agent + "-") && id != null) {
                    return new String[] {n.name(), id};
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no network appeared for a bottle of agent " + agent);
    }

    static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            run("kill-server");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
