package dev.bottles.claude;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One headless Claude Code run: the prompt (sent on standard input, never on the command line),
 * which session it belongs to, and how long it may take.
 *
 * @param prompt what to ask
 * @param resume the session to resume, or null
 * @param continueLast whether to continue the most recent session in the bottle's workspace
 * @param model the model to ask for, or null for Claude Code's default
 * @param timeout how long the run may take before it is stopped (TERM, then KILL)
 * @param extraArgs further Claude Code arguments, e.g. {@code --max-turns 3}
 */
public record ClaudeTask(
        String prompt,
        @Nullable String resume,
        boolean continueLast,
        @Nullable String model,
        Duration timeout,
        List<String> extraArgs) {
    /** The default timeout: thirty minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    /**
     * Validates and copies.
     *
     * @param prompt the prompt
     * @param resume the session to resume, or null
     * @param continueLast whether to continue the last session
     * @param model the model, or null
     * @param timeout the timeout
     * @param extraArgs further arguments
     */
    public ClaudeTask {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (resume != null && continueLast) {
            throw new IllegalArgumentException("resume a session by id or continue the last one, not both");
        }
        if (resume != null && !resume.matches("[A-Za-z0-9-]{1,100}")) {
            throw new IllegalArgumentException("not a Claude Code session id: " + resume);
        }
        extraArgs = List.copyOf(extraArgs);
    }

    /**
     * A new session asking one prompt.
     *
     * @param prompt the prompt
     * @return the task
     */
    public static ClaudeTask of(String prompt) {
        return new ClaudeTask(prompt, null, false, null, DEFAULT_TIMEOUT, List.of());
    }

    /**
     * Returns a copy that resumes a session.
     *
     * @param sessionId the session's id, from {@link ClaudeEvent.Result#sessionId()}
     * @return the new task
     */
    public ClaudeTask resuming(String sessionId) {
        return new ClaudeTask(prompt, sessionId, false, model, timeout, extraArgs);
    }

    /**
     * Returns a copy that continues the most recent session.
     *
     * @return the new task
     */
    public ClaudeTask continuing() {
        return new ClaudeTask(prompt, null, true, model, timeout, extraArgs);
    }

    /**
     * Returns a copy asking for a model.
     *
     * @param newModel e.g. {@code claude-sonnet-4-5}
     * @return the new task
     */
    public ClaudeTask withModel(String newModel) {
        return new ClaudeTask(prompt, resume, continueLast, newModel, timeout, extraArgs);
    }

    /**
     * Returns a copy with another timeout.
     *
     * @param newTimeout the timeout
     * @return the new task
     */
    public ClaudeTask withTimeout(Duration newTimeout) {
        return new ClaudeTask(prompt, resume, continueLast, model, newTimeout, extraArgs);
    }

    /**
     * Returns a copy with further arguments.
     *
     * @param args the arguments
     * @return the new task
     */
    public ClaudeTask withArgs(String... args) {
        List<String> all = new ArrayList<>(extraArgs);
        all.addAll(List.of(args));
        return new ClaudeTask(prompt, resume, continueLast, model, timeout, all);
    }
}
