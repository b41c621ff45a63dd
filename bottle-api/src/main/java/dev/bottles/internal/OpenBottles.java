package dev.bottles.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bottles this process launched and has not closed. A JVM shutdown hook, installed with the
 * first one, tears down those left open on a normal exit (the program forgot, returned from
 * {@code main} mid-session, or got {@code SIGTERM}) and says so on stderr for each, so a program that exits never
 * leaves its bottles running. Each one's state is kept, as for an agent that did not exit 0, so it
 * can be resumed. The teardowns run in parallel and the hook waits for them for a bounded time.
 */
public final class OpenBottles {
    /** How long the hook waits for the closes before the JVM exits anyway. */
    static final Duration HOOK_LIMIT = Duration.ofSeconds(60);

    private static final Set<Open> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private OpenBottles() {}

    /**
     * A bottle left open, and how to tear it down at exit.
     *
     * @param name the bottle, for the log
     * @param atExit keeps its state and closes it
     */
    public record Open(String name, Runnable atExit, boolean warn) {}

    /**
     * Records a launched bottle, installing the shutdown hook the first time.
     *
     * @param name the bottle, for the log
     * @param atExit keeps its state and closes it
     * @return the record, to give {@link #closing} when the bottle is closed
     */
    public static Open opened(String name, Runnable atExit) {
        hook();
        Open o = new Open(name, atExit, true);
        OPEN.add(o);
        return o;
    }

    /**
     * Registers something the exit removes without a warning: a warm pool's unclaimed bottle,
     * which nobody was meant to close.
     *
     * @param name what it is, for a failure's message
     * @param atExit what removes it
     * @return the registration, for {@link #closing}
     */
    public static Open quietly(String name, Runnable atExit) {
        hook();
        Open o = new Open(name, atExit, false);
        OPEN.add(o);
        return o;
    }

    /**
     * Forgets a bottle that is being closed.
     *
     * @param open its record
     */
    public static void closing(Open open) {
        OPEN.remove(open);
    }

    private static synchronized void hook() {
        if (hooked) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(OpenBottles::closeAll, "bottles-shutdown"));
        hooked = true;
    }

    private static void say(String message) {
        System.err.println("[bottles] WARNING " + message);
        System.err.flush();
    }

    /** Closes every bottle still open, in parallel, waiting at most {@link #HOOK_LIMIT}. */
    static void closeAll() {
        List<Thread> closers = new ArrayList<>();
        for (Open b : List.copyOf(OPEN)) {
            // straight to stderr: java.util.logging resets its handlers in a shutdown hook of its own
            if (b.warn()) {
                say("bottle " + b.name() + " was not closed; closing it as the program exits (its state is kept)");
            }
            Thread t = new Thread(
                    () -> {
                        try {
                            b.atExit().run();
                        } catch (RuntimeException e) {
                            say("closing bottle " + b.name() + " at exit failed: " + e.getMessage());
                        }
                    },
                    "bottles-shutdown-close");
            t.start();
            closers.add(t);
        }
        long deadline = System.nanoTime() + HOOK_LIMIT.toNanos();
        for (Thread t : closers) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
