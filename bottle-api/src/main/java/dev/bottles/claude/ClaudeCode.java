package dev.bottles.claude;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.RunningBottle;
import dev.bottles.internal.ClaudeStreamJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Claude Code in one bottle, driven headless: each {@link #run} starts the bottle's agent command
 * with {@code --print --output-format stream-json --verbose}, sends the prompt on standard input,
 * and delivers each event to the listener as Claude Code writes it.
 *
 * <pre>{@code
 * try (RunningBottle bottle = Bottles.prepare(spec).launch()) {
 *     ClaudeEvent.Result r = ClaudeCode.in(bottle).run(ClaudeTask.of("fix the failing test"),
 *             event -> System.out.println(event));
 *     ClaudeCode.in(bottle).run(ClaudeTask.of("now add a test").resuming(r.sessionId()), e -> { });
 * }
 * }</pre>
 */
public final class ClaudeCode {
    /**
     * The Claude Code version this SDK pins and is tested with: the SDK's agent image installs it
     * unless {@value #VERSION_SETTING} names another.
     */
    public static final String PINNED_VERSION = "2.1.332";
    /** The setting that chooses another Claude Code version for the SDK's agent image. */
    public static final String VERSION_SETTING = "CLAUDE_BOTTLE_CLAUDE_CODE_VERSION";

    private final RunningBottle bottle;

    private ClaudeCode(RunningBottle bottle) {
        this.bottle = Objects.requireNonNull(bottle, "bottle");
    }

    /**
     * Drives Claude Code in a bottle.
     *
     * @param bottle a running bottle whose image has Claude Code
     * @return the driver
     */
    public static ClaudeCode in(RunningBottle bottle) {
        return new ClaudeCode(bottle);
    }

    /**
     * Returns the command a task runs (without the prompt, which goes on standard input).
     *
     * @param task the task
     * @return the argv
     */
    public List<String> argv(ClaudeTask task) {
        List<String> argv = new ArrayList<>(bottle.plan().agentCommand());
        argv.addAll(List.of("--print", "--output-format", "stream-json", "--verbose"));
        if (task.resume() != null) {
            argv.add("--resume");
            argv.add(task.resume());
        }
        if (task.continueLast()) {
            argv.add("--continue");
        }
        if (task.model() != null) {
            argv.add("--model");
            argv.add(task.model());
        }
        argv.addAll(task.extraArgs());
        return argv;
    }

    /**
     * Runs a task to its end, delivering events as they arrive.
     *
     * @param task the task
     * @param listener receives each event, on the thread reading Claude Code's output
     * @return the final result
     * @throws dev.bottles.ExecTimeoutException when the run passes the task's timeout (Claude Code is
     *     stopped)
     * @throws BottleException when Claude Code ends without a result, with its exit code and the
     *     end of its standard error
     */
    public ClaudeEvent.Result run(ClaudeTask task, Consumer<ClaudeEvent> listener) {
        ClaudeStreamJson events = new ClaudeStreamJson(listener);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OutputStream boundedErr = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (err.size() < 64 * 1024) {
                    err.write(b, off, Math.min(len, 64 * 1024 - err.size()));
                }
            }
        };
        int code = bottle.execStreaming(
                argv(task),
                ExecOptions.defaults().withTimeout(task.timeout()),
                new ByteArrayInputStream(task.prompt().getBytes(StandardCharsets.UTF_8)),
                events,
                boundedErr);
        events.close();
        ClaudeEvent.Result r = events.result();
        if (r == null) {
            String e = err.toString(StandardCharsets.UTF_8).strip();
            throw new BottleException("Claude Code in bottle " + bottle.identity() + " exited " + code
                    + " without a result"
                    + (e.isEmpty() ? "" : ": " + (e.length() > 2000 ? "..." + e.substring(e.length() - 2000) : e)));
        }
        return r;
    }

    /**
     * Runs a task to its end and returns its events.
     *
     * @param task the task
     * @return every event, the result last
     */
    public List<ClaudeEvent> run(ClaudeTask task) {
        List<ClaudeEvent> out = new CopyOnWriteArrayList<>();
        run(task, out::add);
        return List.copyOf(out);
    }
}
