package dev.bottles.spi;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.internal.TarCopy;
import dev.bottles.manifest.EgressRoute;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A backend's handle on a bottle it launched: the runtime only. The facade wraps it in the
 * {@link dev.bottles.RunningBottle} users hold, which adds the approvals, the control socket, the
 * events and the state dir's teardown rule; none of that is the backend's job.
 *
 * <p>{@link #close()} removes the runtime resources, never the state dir. The facade calls it once
 * (or {@link #settle(int)} once); make it safe to call again anyway, with missing resources counted
 * as removed. Only {@link #identity()}, {@link #plan()}, {@link #exec(List, ExecOptions)} and
 * {@link #close()} must be written; the rest have working defaults built on them.
 * {@code docs/backends.md} lists every rule.
 */
public interface BackendBottle extends AutoCloseable {

    /**
     * Returns the bottle's identity.
     *
     * @return e.g. {@code researcher-m3hxd}
     */
    String identity();

    /**
     * Returns the plan the bottle was launched from.
     *
     * @return the plan
     */
    BottlePlan plan();

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
    ExecResult exec(List<String> argv, ExecOptions options);

    /**
     * Runs a command with the default options.
     *
     * @param argv the command and its arguments
     * @return what the command did
     */
    default ExecResult exec(List<String> argv) {
        return exec(argv, ExecOptions.defaults());
    }

    /**
     * Runs a command with the default options.
     *
     * @param argv the command and its arguments
     * @return what the command did
     */
    default ExecResult exec(String... argv) {
        return exec(List.of(argv));
    }

    /**
     * Runs a command and delivers its output as it arrives: {@code stdin} (when given) is copied in as
     * the command reads it and closed at its end, stdout and stderr are written to the streams as the
     * command writes them, and the exit code comes back when it ends. The buffered
     * {@link #exec(List, ExecOptions)} stays for short commands. The default runs {@link #exec} (no
     * stdin) and writes its output when it ends; backends override it to stream.
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
    default int execStreaming(
            List<String> argv,
            ExecOptions options,
            @Nullable InputStream stdin,
            OutputStream stdout,
            OutputStream stderr) {
        if (stdin != null) {
            throw new BottleException("this bottle's backend cannot stream input to a command");
        }
        ExecResult r = exec(argv, options);
        try {
            stdout.write(r.stdout().getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            stderr.write(r.stderr().getBytes(StandardCharsets.UTF_8));
            stderr.flush();
        } catch (IOException e) {
            throw new BottleException("cannot deliver the output of " + argv.get(0) + " (" + e + ")", e);
        }
        return r.exitCode();
    }

    /**
     * Unpacks a tar stream into a directory of the bottle as the agent's user, so what lands there
     * belongs to the agent and nothing can be written that the agent could not write itself. The
     * archive is checked whole before anything is unpacked: only files, directories and symbolic
     * links, no absolute or {@code ..} names, no link pointing out of the archive. The default runs
     * {@code mkdir -p} and {@code tar -x} in the bottle through {@link #execStreaming}.
     *
     * @param tar the archive (read to its end; not closed)
     * @param directory an absolute directory in the bottle, created when missing
     * @throws BottleException when the archive is refused or cannot be unpacked
     */
    default void copyTo(InputStream tar, String directory) {
        TarCopy.into(this, tar, directory);
    }

    /**
     * Writes a tar stream of a file or directory in the bottle, read as the agent's user; the path's
     * last element is the archive's top entry, as {@code docker cp} does. The default runs
     * {@code tar -c} in the bottle through {@link #execStreaming}.
     *
     * @param path an absolute path in the bottle
     * @param tar where the archive goes (not closed)
     * @throws BottleException when the path does not exist or cannot be read
     */
    default void copyFrom(String path, OutputStream tar) {
        TarCopy.outOf(this, path, tar);
    }

    /**
     * Runs a command attached to this process's terminal: the command reads this process's stdin
     * and writes to its stdout and stderr as it runs, on a TTY when this process has a console.
     * This is how a CLI hands the user the agent. The default runs {@link #exec} without a timeout
     * and copies its output when it ends; backends override it to stream.
     *
     * @param argv the command and its arguments
     * @param options user, directory, extra environment (the timeout is ignored)
     * @return the command's exit code
     * @throws BottleException when it cannot be run
     */
    default int attach(List<String> argv, ExecOptions options) {
        ExecResult r =
                exec(argv, new ExecOptions(Duration.ofDays(3650), options.user(), options.workingDir(), options.env()));
        System.out.print(r.stdout());
        System.out.flush();
        System.err.print(r.stderr());
        System.err.flush();
        return r.exitCode();
    }

    /**
     * Puts a route into the running bottle's egress policy at once (an approved {@code egress-allow}):
     * a new host is added, an existing host gets the paths unioned and keeps its credential. Open
     * tunnels stay up. The facade calls it when an operator approves an {@code egress-allow}
     * proposal, and records the decision; users cannot call it.
     *
     * @param route the route, without a credential
     * @throws UnsupportedOperationException when the backend cannot change policy at run time
     */
    default void allowRoute(EgressRoute route) {
        throw new UnsupportedOperationException("this bottle's backend cannot change its egress policy at run time");
    }

    /**
     * Removes the bottle's runtime resources (never its state dir). Idempotent; missing resources
     * count as removed.
     *
     * @throws BottleException when a resource could not be removed
     */
    @Override
    void close();

    /**
     * Tells the backend the agent exited with this code, then tears the runtime down. The facade
     * has already applied the state dir's rule; the default just {@linkplain #close() closes}.
     *
     * @param exitCode the agent's exit code
     */
    default void settle(int exitCode) {
        close();
    }
}
