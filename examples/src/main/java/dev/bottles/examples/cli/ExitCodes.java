package dev.bottles.examples.cli;

/**
 * What {@code bottle} exits with, so scripts can rely on it. After a launch, {@code start} and
 * {@code resume} exit with the agent's own code instead.
 */
public final class ExitCodes {
    /** Done; for {@code start} and {@code resume}, the agent exited 0. */
    public static final int OK = 0;
    /** The user declined at the prompt. */
    public static final int DECLINED = 1;
    /** The command line is wrong (picocli's usage error code). */
    public static final int USAGE = 2;
    /** An agent or bottle definition is wrong, or asks for what the host lacks. */
    public static final int BAD_DEFINITION = 3;
    /** No usable backend. */
    public static final int NO_BACKEND = 4;
    /** The launch failed (what it created was removed). */
    public static final int LAUNCH_FAILED = 5;
    /** Any other failure (an engine error, a teardown that left something behind). */
    public static final int FAILED = 6;
    /** What a bottle is settled with when the CLI is ended by a signal while attached (128 + SIGTERM). */
    public static final int STOPPED = 143;

    private ExitCodes() {}
}
