package dev.bottles.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.ApprovalHandler;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.Phase;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.state.ProposalQueue;
import dev.bottles.state.StateDir;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The running bottle the facade hands out: wraps a backend's, reports exec and close, makes close
 * idempotent whatever the backend does, and owns the state dir's teardown rule.
 */
public final class TrackedBottle implements RunningBottle {
    private final RunningBottle delegate;
    private final BottleEvents events;
    private final StateDir state;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> down = new CompletableFuture<>();
    private @org.jspecify.annotations.Nullable ApprovalWatcher watcher;
    private volatile @org.jspecify.annotations.Nullable ControlSocket control;

    /**
     * Wraps a backend's running bottle.
     *
     * @param delegate the backend's running bottle
     * @param events where to report
     * @param state the bottle's state dir
     */
    public TrackedBottle(RunningBottle delegate, BottleEvents events, StateDir state) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.events = Objects.requireNonNull(events, "events");
        this.state = Objects.requireNonNull(state, "state");
    }

    /**
     * Opens the bottle's control socket, so an operator outside this program can reach it
     * ({@code dev.bottles.ReachedBottle}): who owns it, the values an attach needs, and a stop that
     * keeps the state and closes the bottle here.
     *
     * @param forwarded the values this program forwards into the bottle's commands
     */
    public void serveOperators(Map<String, String> forwarded) {
        Map<String, String> values = Map.copyOf(forwarded);
        control = ControlSocket.open(state, new ControlSocket.Owner() {
                    @Override
                    public void describe(ObjectNode reply) {
                        reply.put("identity", identity());
                        reply.put("backend", plan().backendId());
                        reply.put("pid", ProcessHandle.current().pid());
                        plan().agentCommand().forEach(reply.putArray("agent_command")::add);
                    }

                    @Override
                    public Map<String, String> forwarded() {
                        return values;
                    }

                    @Override
                    public void stop() {
                        state.preserve();
                        close();
                    }
                })
                .orElse(null);
    }

    @Override
    public String identity() {
        return delegate.identity();
    }

    @Override
    public BottlePlan plan() {
        return delegate.plan();
    }

    @Override
    public ExecResult exec(List<String> argv, ExecOptions options) {
        Objects.requireNonNull(options, "options");
        List<String> command = runnable(argv);
        return events.time(Phase.EXEC, command.get(0), () -> delegate.exec(command, options));
    }

    @Override
    public int execStreaming(
            List<String> argv,
            ExecOptions options,
            @Nullable InputStream stdin,
            OutputStream stdout,
            OutputStream stderr) {
        Objects.requireNonNull(options, "options");
        List<String> command = runnable(argv);
        return events.time(
                Phase.EXEC, command.get(0), () -> delegate.execStreaming(command, options, stdin, stdout, stderr));
    }

    @Override
    public void copyTo(InputStream tar, String directory) {
        events.run(Phase.EXEC, "copy-to", () -> delegate.copyTo(tar, directory));
    }

    @Override
    public void copyFrom(String path, OutputStream tar) {
        events.run(Phase.EXEC, "copy-from", () -> delegate.copyFrom(path, tar));
    }

    @Override
    public int attach(List<String> argv, ExecOptions options) {
        List<String> command = runnable(argv);
        return events.time(Phase.EXEC, command.get(0), () -> delegate.attach(command, options));
    }

    private List<String> runnable(List<String> argv) {
        List<String> command = List.copyOf(argv);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("argv must name a command");
        }
        if (closed.get()) {
            throw new IllegalStateException("bottle " + identity() + " is closed; launch a new one");
        }
        return command;
    }

    @Override
    public synchronized void onApproval(ApprovalHandler handler) {
        if (closed.get()) {
            throw new IllegalStateException("bottle " + identity() + " is closed");
        }
        if (watcher != null) {
            watcher.close();
        }
        // who decides is visible to a dashboard from launch: an operator outside, or this program
        ProposalQueue queue = new ProposalQueue(state.home().queueDir(identity()));
        if (handler instanceof OperatorDecisions.Handler && Files.isDirectory(queue.dir())) {
            queue.deferToOperator();
        }
        watcher = new ApprovalWatcher(this, state, handler, Duration.ofMillis(200));
    }

    @Override
    public void allowRoute(EgressRoute route) {
        events.run(Phase.EXEC, "allow-route", () -> delegate.allowRoute(route));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitDown();
            return;
        }
        try {
            closeControl();
            stopWatching();
            // decided before the runtime goes: once it is gone, a resume may already be reusing this state
            boolean keep = state.isPreserved();
            if (keep) {
                events.run(Phase.SETTLE, "snapshot-transcript", () -> Transcripts.snapshot(delegate, state));
            }
            events.run(Phase.CLOSE, "close", delegate::close);
            if (!keep && !state.isPreserved()) {
                state.delete();
            }
        } finally {
            down.complete(null);
        }
    }

    /**
     * Waits for a close that another thread is doing (an operator's stop, say), so the program does
     * not exit, or go on, while its bottle is half torn down.
     */
    private void awaitDown() {
        try {
            down.get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the other thread reports its own failure
        }
    }

    @Override
    public void settle(int exitCode) {
        events.run(Phase.SETTLE, "settle", () -> {
            if (exitCode != 0) {
                state.preserve();
            }
        });
        if (!closed.compareAndSet(false, true)) {
            awaitDown();
            return;
        }
        try {
            closeControl();
            stopWatching();
            if (state.isPreserved()) {
                events.run(Phase.SETTLE, "snapshot-transcript", () -> Transcripts.snapshot(delegate, state));
            }
            events.run(Phase.CLOSE, "close", () -> delegate.settle(exitCode));
            if (!state.isPreserved()) {
                state.delete();
            }
        } finally {
            down.complete(null);
        }
    }

    private void stopWatching() {
        ApprovalWatcher w;
        synchronized (this) {
            w = watcher;
        }
        if (w != null) {
            w.close();
        }
    }

    private void closeControl() {
        ControlSocket c = control;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "RunningBottle[" + identity() + " on " + plan().backendId() + (closed.get() ? ", closed" : "") + "]";
    }
}
