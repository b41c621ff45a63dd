package dev.bottles;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Signals that a command a backend ran (a subprocess such as {@code smolvm}, or an engine call)
 * failed. Carries the argv (never with secret values), the exit code and the tail of stderr.
 */
public final class BackendCommandException extends BottleException {
    private static final long serialVersionUID = 1L;
    private static final int TAIL_CHARS = 2_000;

    private final List<String> argv;
    private final int exitCode;
    private final String stderrTail;

    /**
     * Creates the exception.
     *
     * @param argv the command as run; must hold no secret value
     * @param exitCode the exit code, or -1 when the command did not exit (timeout, failed to start)
     * @param stderr the command's standard error; only its tail is kept
     * @param hint what the caller can do next
     * @param cause the underlying failure, if any
     */
    public BackendCommandException(
            List<String> argv, int exitCode, String stderr, String hint, @Nullable Throwable cause) {
        super(render(argv, exitCode, tail(stderr), hint), cause);
        this.argv = List.copyOf(argv);
        this.exitCode = exitCode;
        this.stderrTail = tail(stderr);
    }

    /**
     * Returns the command as it was run.
     *
     * @return the argv
     */
    public List<String> argv() {
        return argv;
    }

    /**
     * Returns the command's exit code.
     *
     * @return the exit code, or -1 when it did not exit
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * Returns the last part of the command's standard error.
     *
     * @return at most the last 2,000 characters of stderr
     */
    public String stderrTail() {
        return stderrTail;
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() <= TAIL_CHARS ? t : "…" + t.substring(t.length() - TAIL_CHARS);
    }

    private static String render(List<String> argv, int exitCode, String stderr, String hint) {
        StringBuilder sb = new StringBuilder("command ").append(String.join(" ", argv));
        sb.append(exitCode < 0 ? " did not finish" : " exited with " + exitCode);
        if (!stderr.isEmpty()) {
            sb.append(": ").append(stderr);
        }
        if (!hint.isEmpty()) {
            sb.append("\n").append(hint);
        }
        return sb.toString();
    }
}
