package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.bottles.BottleException;
import dev.bottles.ExecResult;
import dev.bottles.dockerengine.DockerEngine.Command;
import dev.bottles.dockerengine.DockerEngine.ExecOutcome;
import dev.bottles.dockerengine.DockerEngine.StreamOutcome;
import dev.bottles.dockerengine.DockerEngine.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The engine's exec: buffered, streamed and attached commands, their exit codes and TTY size;
 * {@link DockerEngine} delegates here.
 */
final class EngineExec extends EngineResource {
    private static final System.Logger LOG = System.getLogger(DockerEngine.class.getName());

    EngineExec(DockerEngine engine, DockerClient client) {
        super(engine, client);
    }

    ExecOutcome exec(Command command, Duration timeout) {
        long t0 = System.nanoTime();
        String execId = createExec(command, false, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).writeBytes(f.getPayload());
            }
        };
        boolean finished;
        try {
            finished = client.execStartCmd(execId).exec(cb).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException(
                    "interrupted while running " + command.program() + " in " + command.container(), e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!finished) {
            try {
                cb.close();
            } catch (IOException ignored) {
                // the stream is abandoned either way
            }
            return new ExecOutcome(
                    false,
                    new ExecResult(
                            -1, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took));
        }
        return new ExecOutcome(
                true,
                new ExecResult(
                        exitCode(execId, 100),
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8),
                        took));
    }

    int attach(Command command, boolean tty, Streams io, Consumer<String> started) {
        InputStream stdin = io.stdin();
        OutputStream out = io.out();
        OutputStream err = io.err();
        String execId = createExec(command, stdin != null, tty);
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                OutputStream to = f.getStreamType() == StreamType.STDERR ? err : out;
                try {
                    to.write(f.getPayload());
                    to.flush();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "the attached output went away", e);
                }
            }
        };
        var start = client.execStartCmd(execId).withTty(tty);
        if (stdin != null) {
            start.withStdIn(stdin);
        }
        try {
            start.exec(cb);
            started.accept(execId);
            cb.awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException(
                    "interrupted while attached to " + command.program() + " in " + command.container(), e);
        }
        return exitCode(execId, 200);
    }

    boolean resizeExec(String execId, int columns, int rows) {
        if (columns <= 0 || rows <= 0) {
            return false;
        }
        try {
            client.resizeExecCmd(execId).withSize(rows, columns).exec();
            return true;
        } catch (DockerException e) {
            LOG.log(Level.DEBUG, "resizing exec " + execId + " failed: " + e.getMessage());
            return false;
        }
    }

    StreamOutcome stream(Command command, Streams io, Duration timeout) {
        InputStream stdin = io.stdin();
        OutputStream out = io.out();
        OutputStream err = io.err();
        String execId = createExec(command, stdin != null, false);
        boolean finished;
        if (stdin != null && HijackedExec.supports(engine.host())) {
            AtomicReference<AutoCloseable> open = new AtomicReference<>();
            CompletableFuture<Void> run = CompletableFuture.runAsync(
                    () -> HijackedExec.run(engine.host(), engine.apiVersion(), execId, stdin, out, err, open::set),
                    DockerEngine.WORKERS);
            try {
                run.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                finished = true;
            } catch (TimeoutException e) {
                finished = false;
                closeQuietly(open.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof BottleException be
                        ? be
                        : new BottleException(
                                "cannot run " + command.program() + " in " + command.container() + " (" + e.getCause()
                                        + ")",
                                e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(open.get());
                throw new BottleException(
                        "interrupted while running " + command.program() + " in " + command.container(), e);
            }
        } else {
            ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame f) {
                    try {
                        OutputStream to = f.getStreamType() == StreamType.STDERR ? err : out;
                        to.write(f.getPayload());
                        to.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            var start = client.execStartCmd(execId);
            if (stdin != null) {
                start.withStdIn(stdin);
            }
            try {
                finished = start.exec(cb).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BottleException(
                        "interrupted while running " + command.program() + " in " + command.container(), e);
            }
            if (!finished) {
                closeQuietly(cb);
            }
        }
        return new StreamOutcome(finished, finished ? exitCode(execId, 200) : -1);
    }

    private static void closeQuietly(@Nullable AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // abandoned either way
            }
        }
    }

    private String createExec(Command command, boolean stdin, boolean tty) {
        String container = command.container();
        List<String> argv = command.argv();
        String user = command.user();
        String workdir = command.workdir();
        List<String> env = command.env();
        var create = client.execCreateCmd(container)
                .withCmd(argv.toArray(String[]::new))
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withAttachStdin(stdin)
                .withTty(tty)
                .withEnv(env);
        if (user != null) {
            create.withUser(user);
        }
        if (workdir != null) {
            create.withWorkingDir(workdir);
        }
        try {
            return create.exec().getId();
        } catch (ConflictException e) {
            throw new BottleException(
                    "cannot run " + command.program() + " in " + command.container() + ": it is not running", e);
        } catch (NotFoundException e) {
            throw new BottleException(
                    "cannot run " + command.program() + " in " + command.container() + ": no such container", e);
        }
    }

    private int exitCode(String execId, int attempts) {
        Long code = null;
        for (int i = 0; i < attempts && code == null; i++) {
            var inspect = client.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(inspect.isRunning())) {
                code = inspect.getExitCodeLong();
            }
            if (code == null) {
                sleep(5);
            }
        }
        return code == null ? -1 : code.intValue();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
