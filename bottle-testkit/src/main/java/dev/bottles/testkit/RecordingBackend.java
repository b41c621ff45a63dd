package dev.bottles.testkit;

import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.internal.ForwardingBackend;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps any backend and records every call made to it and to the bottles it launches, to assert
 * what your code asked of a backend.
 */
public final class RecordingBackend extends ForwardingBackend {
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /**
     * One recorded call.
     *
     * @param method the method, e.g. {@code launch} or {@code exec}
     * @param identity the bottle it concerned, or empty for backend-wide calls
     * @param argv the command for {@code exec}, the exit code for {@code settle}, otherwise empty
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
        super(delegate);
    }

    @Override
    protected void before(String method, String identity, List<String> argv) {
        calls.add(new Call(method, identity, argv));
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
}
