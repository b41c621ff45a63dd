package dev.bottles;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One finished step of a bottle's life, for progress display and measurement.
 *
 * @param identity the bottle's identity
 * @param backend the backend's id
 * @param phase the phase the step belongs to
 * @param step the step within the phase, e.g. {@code create-network}; equals the phase's name for
 *     the phase as a whole
 * @param duration how long the step took
 * @param succeeded whether it succeeded
 * @param detail a short free-form note (a failure's message, a chosen runtime), or null
 */
public record BottleEvent(
        String identity,
        String backend,
        Phase phase,
        String step,
        Duration duration,
        boolean succeeded,
        @Nullable String detail) {

    /**
     * Validates the event.
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @param phase the phase the step belongs to
     * @param step the step within the phase, e.g. {@code create-network}; equals the phase's name for
     *     the phase as a whole
     * @param duration how long the step took
     * @param succeeded whether it succeeded
     * @param detail a short free-form note (a failure's message, a chosen runtime), or null
     */
    public BottleEvent {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * Tells whether this event covers a whole phase rather than one step of it.
     *
     * @return true for a phase-level event
     */
    public boolean isPhase() {
        return step.equals(phase.name().toLowerCase(Locale.ROOT));
    }
}
