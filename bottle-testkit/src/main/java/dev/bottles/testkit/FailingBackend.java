package dev.bottles.testkit;

import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.Phase;
import dev.bottles.RunningBottle;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Wraps a backend and fails at a chosen phase with a chosen exception, to test your error handling
 * and rollback: {@link Phase#SELECT} (probe), {@link Phase#PREPARE}, {@link Phase#LAUNCH},
 * {@link Phase#EXEC} or {@link Phase#CLOSE} (close and settle). A failure at launch happens before
 * the delegate creates anything.
 */
public final class FailingBackend implements BottleBackend {
    private static final Set<Phase> SUPPORTED = Set.of(Phase.SELECT, Phase.PREPARE, Phase.LAUNCH, Phase.EXEC, Phase.CLOSE);

    private final BottleBackend delegate;
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
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.phase = Objects.requireNonNull(phase, "phase");
        this.failure = Objects.requireNonNull(failure, "failure");
        if (!SUPPORTED.contains(phase)) {
            throw new IllegalArgumentException("a backend cannot fail at " + phase + "; use one of " + SUPPORTED);
        }
    }

    private void maybeFail(Phase p) {
        if (p == phase) {
            throw failure.get();
        }
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public Availability probe() {
        maybeFail(Phase.SELECT);
        return delegate.probe();
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        maybeFail(Phase.PREPARE);
        return delegate.prepare(request);
    }

    @Override
    public RunningBottle launch(BottlePlan plan, BottleEvents events) {
        maybeFail(Phase.LAUNCH);
        RunningBottle inner = delegate.launch(plan, events);
        return new RunningBottle() {
            @Override
            public String identity() {
                return inner.identity();
            }

            @Override
            public BottlePlan plan() {
                return inner.plan();
            }

            @Override
            public ExecResult exec(List<String> argv, ExecOptions options) {
                maybeFail(Phase.EXEC);
                return inner.exec(argv, options);
            }

            @Override
            public void settle(int exitCode) {
                maybeFail(Phase.CLOSE);
                inner.settle(exitCode);
            }

            @Override
            public void close() {
                maybeFail(Phase.CLOSE);
                inner.close();
            }
        };
    }

    @Override
    public List<BottleSummary> list() {
        return delegate.list();
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        return delegate.cleanup(request);
    }
}
