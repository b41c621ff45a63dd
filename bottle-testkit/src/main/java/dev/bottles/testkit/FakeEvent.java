package dev.bottles.testkit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One thing that happened to a bottle on a {@link FakeBackend}.
 *
 * @param kind what happened
 * @param identity the bottle's identity
 * @param argv the command, for {@link Kind#EXEC}; the exit code, for {@link Kind#SETTLED}; the
 *     failed step, for {@link Kind#LAUNCH_FAILED}; otherwise empty
 * @param at when, by the backend's clock
 */
public record FakeEvent(Kind kind, String identity, List<String> argv, Instant at) {

    /**
     * Validates and copies.
     *
     * @param kind what happened
     * @param identity the identity
     * @param argv the details
     * @param at when
     */
    public FakeEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(identity, "identity");
        argv = List.copyOf(argv);
        Objects.requireNonNull(at, "at");
    }

    /** The kinds of event, in a bottle's usual order. */
    public enum Kind {
        /** The bottle was prepared. */
        PREPARED,
        /** The bottle was launched. */
        LAUNCHED,
        /** A launch failed at a step and was rolled back. */
        LAUNCH_FAILED,
        /** A command ran. */
        EXEC,
        /** The bottle was settled with an exit code. */
        SETTLED,
        /** The bottle was torn down. */
        CLOSED
    }

    @Override
    public String toString() {
        return kind + " " + identity + (argv.isEmpty() ? "" : " " + argv);
    }
}
