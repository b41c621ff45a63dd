package dev.bottles;

import dev.bottles.internal.ApprovalWatcher;
import dev.bottles.internal.ControlSocket;
import dev.bottles.internal.OpenBottles;
import dev.bottles.internal.OperatorDecisions;
import dev.bottles.internal.Transcripts;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.spi.BackendBottle;
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
 * A launched bottle: run commands in it, copy files in and out, hand its agent to a terminal, let
 * an operator decide its capability changes, then close it. Only {@link PreparedBottle#launch()}
 * makes one; backends return a {@link BackendBottle}, which this wraps.
 *
 * <p>{@link #close()} tears the runtime down, then removes the state dir unless it is marked
 * {@code .preserve}; it is idempotent, and a second caller waits for the first to finish.
 * {@link #settle(int)} applies the original's rule for an agent's exit code first: 0 lets the state
 * go, anything else marks it {@code .preserve} so the bottle can be resumed. While it runs, the
 * bottle answers operators outside this program on its control socket ({@link ReachedBottle}).
 *
 * <p>This process owns the bottle: its resources carry it as their owner, so no other program's
 * cleanup removes them while it runs, and a bottle left open when the program exits normally is
 * closed by a shutdown hook, its state kept for {@code resume} (with a warning in the log).
 */
public final class RunningBottle implements AutoCloseable {
    private final BackendBottle delegate;
    private final BottleEvents events;
    private final StateDir state;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> down = new CompletableFuture<>();
    private @Nullable ApprovalWatcher watcher;
    private volatile @Nullable ControlSocket control;
    private final OpenBottles.@Nullable Open open;

    RunningBottle(BackendBottle delegate, BottleEvents events, StateDir state) {
        this(delegate, events, state, false);
    }

    RunningBottle(BackendBottle delegate, BottleEvents events, StateDir state, boolean detached) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.events = Objects.requireNonNull(events, "events");
        this.state = Objects.requireNonNull(state, "state");
        // a detached bottle outlives this program: no exit hook closes it
        this.open = detached
                ? null
                : OpenBottles.opened(delegate.identity(), () -> {
                    try {
                        state.preserve();
                    } catch (RuntimeException e) {
                        // the state is gone (a test's temporary home, say): the runtime still goes
                    }
                    close();
                });
    }

    /**
     * Opens the bottle's control socket, so an operator outside this program can reach it: who owns
     * it, the values an attach needs, and a stop that keeps the state and closes the bottle here.
     */
    void serveOperators(Map<String, String> forwarded) {
        Map<String, String> values = Map.copyOf(forwarded);
        control = ControlSocket.open(state, new ControlSocket.Owner() {
                    @Override
                    public BottlePlan plan() {
                        return RunningBottle.this.plan();
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

    /**
     * Returns the bottle's identity.
     *
     * @return e.g. {@code researcher-m3hxd}
     */
    public String identity() {
        return delegate.identity();
    }

    /**
     * Returns the plan the bottle was launched from.
     *
     * @return the plan
     */
    public BottlePlan plan() {
        return delegate.plan();
    }

    /**
     * Runs a command in the bottle and waits for it.
     *
     * @param argv the command and its arguments; not run through a shell
     * @param options timeout, user, directory, extra environment
     * @return what the command did
     * @throws ExecTimeoutException when it runs past the timeout (it is stopped)
     * @throws BottleException when it cannot be run
     * @throws IllegalStateException when the bottle is closed
     */
    public ExecResult exec(List<String> argv, ExecOptions options) {
        Objects.requireNonNull(options, "options");
        List<String> command = runnable(argv);
        return events.time(Phase.EXEC, command.get(0), () -> delegate.exec(command, options));
    }

    /**
     * Runs a command with the default options.
     *
     * @param argv the command and its arguments
     * @return what the command did
     */
    public ExecResult exec(List<String> argv) {
        return exec(argv, ExecOptions.defaults());
    }

    /**
     * Runs a command with the default options.
     *
     * @param argv the command and its arguments
     * @return what the command did
     */
    public ExecResult exec(String... argv) {
        return exec(List.of(argv));
    }

    /**
     * Runs a command and delivers its output as it arrives: {@code stdin} (when given) is copied in as
     * the command reads it and closed at its end, stdout and stderr are written to the streams as the
     * command writes them, and the exit code comes back when it ends. The buffered
     * {@link #exec(List, ExecOptions)} stays for short commands.
     *
     * @param argv the command and its arguments; not run through a shell
     * @param options timeout, user, directory, extra environment
     * @param stdin what the command reads, or null for nothing
     * @param stdout where its standard output goes, as it comes
     * @param stderr where its standard error goes, as it comes
     * @return the exit code
     * @throws ExecTimeoutException when it runs past the timeout (it is stopped: TERM, then KILL)
     * @throws BottleException when it cannot be run, or stdin is given to a backend that cannot stream
     * @throws IllegalStateException when the bottle is closed
     */
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

    /**
     * Unpacks a tar stream into a directory of the bottle as the agent's user, so what lands there
     * belongs to the agent and nothing can be written that the agent could not write itself. The
     * archive is checked whole before anything is unpacked: only files, directories and symbolic
     * links, no absolute or {@code ..} names, no link pointing out of the archive.
     *
     * @param tar the archive (read to its end; not closed)
     * @param directory an absolute directory in the bottle, created when missing
     * @throws BottleException when the archive is refused or cannot be unpacked
     */
    public void copyTo(InputStream tar, String directory) {
        open();
        events.run(Phase.EXEC, "copy-to", () -> delegate.copyTo(tar, directory));
    }

    /**
     * Writes a tar stream of a file or directory in the bottle, read as the agent's user; the path's
     * last element is the archive's top entry, as {@code docker cp} does.
     *
     * @param path an absolute path in the bottle
     * @param tar where the archive goes (not closed)
     * @throws BottleException when the path does not exist or cannot be read
     */
    public void copyFrom(String path, OutputStream tar) {
        open();
        events.run(Phase.EXEC, "copy-from", () -> delegate.copyFrom(path, tar));
    }

    /**
     * Runs a command attached to this process's terminal: the command reads this process's stdin
     * and writes to its stdout and stderr as it runs, on a TTY when this process has a console.
     * This is how a CLI hands the user the agent.
     *
     * @param argv the command and its arguments
     * @param options user, directory, extra environment (the timeout is ignored)
     * @return the command's exit code
     * @throws BottleException when it cannot be run
     */
    public int attach(List<String> argv, ExecOptions options) {
        List<String> command = runnable(argv);
        return events.time(Phase.EXEC, command.get(0), () -> delegate.attach(command, options));
    }

    private List<String> runnable(List<String> argv) {
        List<String> command = List.copyOf(argv);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("argv must name a command");
        }
        open();
        return command;
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException("bottle " + identity() + " is closed; launch a new one");
        }
    }

    /**
     * Starts delivering the agent's supervise proposals to a handler, oldest first, and applying its
     * decisions ({@link ApprovalHandler}): an approved route goes into the egress policy at once,
     * an approved Dockerfile keeps the state and tears the bottle down for {@code resume}; every
     * decision is appended to the approvals log. Replaces a handler set before.
     *
     * @param handler the handler
     * @throws IllegalStateException when the bottle is closed
     */
    public synchronized void onApproval(ApprovalHandler handler) {
        Objects.requireNonNull(handler, "handler");
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
        watcher = new ApprovalWatcher(
                new ApprovalWatcher.Target() {
                    @Override
                    public void allowRoute(EgressRoute route) {
                        events.run(Phase.EXEC, "allow-route", () -> delegate.allowRoute(route));
                    }

                    @Override
                    public void close() {
                        RunningBottle.this.close();
                    }
                },
                state,
                handler,
                Duration.ofMillis(200));
    }

    /**
     * Tears the bottle down: runtime resources, then the state dir unless it is marked
     * {@code .preserve}. Idempotent; a caller that finds a teardown under way waits for it.
     *
     * @throws BottleException when a resource could not be removed (the state dir is then kept)
     */
    @Override
    public void close() {
        teardown(delegate::close);
    }

    /**
     * Applies the original's teardown rule for the agent's exit code, then closes: 0 removes the
     * state dir; any other code marks it {@code .preserve} and keeps it for {@code resume}.
     *
     * @param exitCode the agent's exit code
     */
    public void settle(int exitCode) {
        events.run(Phase.SETTLE, "settle", () -> {
            if (exitCode != 0) {
                state.preserve();
            }
        });
        teardown(() -> delegate.settle(exitCode));
    }

    private void teardown(Runnable runtime) {
        if (!closed.compareAndSet(false, true)) {
            awaitDown();
            return;
        }
        OpenBottles.Open o = open;
        if (o != null) {
            OpenBottles.closing(o);
        }
        try {
            closeControl();
            stopWatching();
            // decided before the runtime goes: once it is gone, a resume may already be reusing this state
            boolean keep = state.isPreserved();
            if (keep) {
                events.run(Phase.SETTLE, "snapshot-transcript", () -> Transcripts.snapshot(delegate, state));
            }
            events.run(Phase.CLOSE, "close", runtime);
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
