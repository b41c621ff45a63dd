package dev.bottles.testkit.internal;

import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A backend that forwards every call, to it and to the bottles it launches, to a delegate after
 * telling {@link #before} which call it is.
 */
public abstract class ForwardingBackend implements BottleBackend {
    private final BottleBackend delegate;

    /**
     * Wraps a backend.
     *
     * @param delegate the backend that does the work
     */
    protected ForwardingBackend(BottleBackend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Called before each forwarded call; may throw to fail it.
     *
     * @param method {@code probe}, {@code prepare}, {@code launch}, {@code list}, {@code cleanup},
     *     {@code exec} (buffered, streamed, attached, or a copy's {@code tar}), {@code allow-route},
     *     {@code settle} or {@code close}
     * @param identity the bottle concerned, or empty for backend-wide calls
     * @param argv the command for {@code exec}, the host for {@code allow-route}, the exit code
     *     for {@code settle}, else empty
     */
    protected abstract void before(String method, String identity, List<String> argv);

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
        before("probe", "", List.of());
        return delegate.probe();
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        before("prepare", request.identity(), List.of());
        return delegate.prepare(request);
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        before("launch", plan.identity(), List.of());
        BackendBottle inner = delegate.launch(plan, events);
        return new BackendBottle() {
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
                before("exec", inner.identity(), argv);
                return inner.exec(argv, options);
            }

            @Override
            public int execStreaming(
                    List<String> argv,
                    ExecOptions options,
                    @Nullable InputStream stdin,
                    OutputStream stdout,
                    OutputStream stderr) {
                before("exec", inner.identity(), argv);
                return inner.execStreaming(argv, options, stdin, stdout, stderr);
            }

            @Override
            public int attach(List<String> argv, ExecOptions options) {
                before("exec", inner.identity(), argv);
                return inner.attach(argv, options);
            }

            @Override
            public void allowRoute(EgressRoute route) {
                before("allow-route", inner.identity(), List.of(route.host()));
                inner.allowRoute(route);
            }

            @Override
            public void settle(int exitCode) {
                before("settle", inner.identity(), List.of(Integer.toString(exitCode)));
                inner.settle(exitCode);
            }

            @Override
            public void close() {
                before("close", inner.identity(), List.of());
                inner.close();
            }
        };
    }

    @Override
    public List<BottleSummary> list() {
        before("list", "", List.of());
        return delegate.list();
    }

    @Override
    public boolean bottlesOutliveTheirOwner() {
        return delegate.bottlesOutliveTheirOwner();
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        before("cleanup", "", List.of());
        return delegate.cleanup(request);
    }
}
