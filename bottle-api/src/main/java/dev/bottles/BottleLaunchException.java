package dev.bottles;

import org.jspecify.annotations.Nullable;

/**
 * Signals that a launch failed at a named step. By the time it is thrown, the backend has removed
 * what that launch created, newest first. The message ends with where each step's usual causes
 * are written down ({@code docs/errors/launch-failed.md}).
 */
public final class BottleLaunchException extends BottleException {
    private static final long serialVersionUID = 1L;
    /** Where the message sends the reader: each step, its usual causes and their fixes. */
    public static final String HELP = "more: docs/errors/launch-failed.md in the bottles repository";

    private final String identity;
    private final String step;

    /**
     * Creates the exception.
     *
     * @param identity the bottle's identity
     * @param step the launch step that failed, e.g. {@code create-network}
     * @param message what failed and what to do next
     * @param cause the underlying failure, if any
     */
    public BottleLaunchException(String identity, String step, String message, @Nullable Throwable cause) {
        super(
                "launch of bottle '" + identity + "' failed at step '" + step + "': " + message + " (" + HELP + ")",
                cause);
        this.identity = identity;
        this.step = step;
    }

    /**
     * Returns the identity of the bottle whose launch failed.
     *
     * @return the identity
     */
    public String identity() {
        return identity;
    }

    /**
     * Returns the step that failed.
     *
     * @return the step name
     */
    public String step() {
        return step;
    }
}
