package dev.bottles.testkit;

import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps any backend and records every call made to it and to the bottles it launches, to assert
 * what your code asked of a backend.
 */
public final class RecordingBackend implements BottleBackend {
    private final BottleBackend delegate;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /**
     * One recorded call.
     *
     * @param method the method, e.g. {@code launch} or {@code exec}
     * @param identity the bottle it concerned, or empty for backend-wide calls
     * @param argv the command, for {@code exec}; otherwise empty
     */
    public record Call(String method, String identity, List<String> argv) {
        /**
         * Copies the argv.
         *
         * @param method the method
         * @param identity the bottle
         * @param argv the command
         */
        public Call {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(identity, "identity");
            argv = List.copyOf(argv);
        }
    }

    /**
     * Wraps a backend.
     *
     * @param delegate the backend that does the work
     */
    public RecordingBackend(BottleBackend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Returns the calls so far, in order.
     *
     * @return the calls
     */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /**
     * Returns the names of the methods called so far, in order.
     *
     * @return e.g. {@code [prepare, launch, exec, close]}
     */
    public List<String> methods() {
        return calls.stream().map(Call::method).toList();
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
        calls.add(new Call("probe", "", List.of()));
        return delegate.probe();
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        calls.add(new Call("prepare", request.identity(), List.of()));
        return delegate.prepare(request);
    }

    @Override
    public RunningBottle launch(BottlePlan plan, BottleEvents events) {
        calls.add(new Call("launch", plan.identity(), List.of()));
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
                calls.add(new Call("exec", inner.identity(), argv));
                return inner.exec(argv, options);
            }

            @Override
            public void settle(int exitCode) {
                calls.add(new Call("settle", inner.identity(), List.of(Integer.toString(exitCode))));
                inner.settle(exitCode);
            }

            @Override
            public void close() {
                calls.add(new Call("close", inner.identity(), List.of()));
                inner.close();
            }
        };
    }

    @Override
    public List<BottleSummary> list() {
        calls.add(new Call("list", "", List.of()));
        return delegate.list();
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        calls.add(new Call("cleanup", "", List.of()));
        return delegate.cleanup(request);
    }
}
