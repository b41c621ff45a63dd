package dev.bottles;

import org.jspecify.annotations.Nullable;

/**
 * Signals that a bottle could not be described, prepared, launched, used or torn down.
 *
 * <p>The single unchecked root of every exception the SDK throws on purpose. Subclasses say what
 * went wrong; every message says what was attempted and what to do next.
 */
public class BottleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what was attempted, what failed and what to do next
     */
    public BottleException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what was attempted, what failed and what to do next
     * @param cause the underlying failure, if any
     */
    public BottleException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
