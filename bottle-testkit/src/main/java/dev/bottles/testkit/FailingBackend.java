package dev.bottles.testkit;

import dev.bottles.Phase;
import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.internal.ForwardingBackend;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Wraps a backend and fails at a chosen phase with a chosen exception, to test your error handling
 * and rollback: {@link Phase#SELECT} (probe), {@link Phase#PREPARE}, {@link Phase#LAUNCH},
 * {@link Phase#EXEC} or {@link Phase#CLOSE} (close and settle). A failure at launch happens before
 * the delegate creates anything.
 */
public final class FailingBackend extends ForwardingBackend {
    private static final Map<String, Phase> PHASE_OF = Map.of(
            "probe",
            Phase.SELECT,
            "prepare",
            Phase.PREPARE,
            "launch",
            Phase.LAUNCH,
            "exec",
            Phase.EXEC,
            "close",
            Phase.CLOSE,
            "settle",
            Phase.CLOSE);

    private final Phase phase;
    private final Supplier<? extends RuntimeException> failure;

    /**
     * Wraps a backend.
     *
     * @param delegate the backend that does the work until the failure
     * @param phase where to fail
     * @param failure makes the exception to throw there, each time
     * @throws IllegalArgumentException for a phase that has no backend call of its own
     */
    public FailingBackend(BottleBackend delegate, Phase phase, Supplier<? extends RuntimeException> failure) {
        super(delegate);
        this.phase = Objects.requireNonNull(phase, "phase");
        this.failure = Objects.requireNonNull(failure, "failure");
        if (!PHASE_OF.containsValue(phase)) {
            throw new IllegalArgumentException(
                    "a backend cannot fail at " + phase + "; use SELECT, PREPARE, LAUNCH," + " EXEC or CLOSE");
        }
    }

    @Override
    protected void before(String method, String identity, List<String> argv) {
        if (PHASE_OF.get(method) == phase) {
            throw failure.get();
        }
    }
}
