package dev.bottles;

import java.time.Duration;
import java.util.List;

/**
 * Signals that a command run in a bottle did not finish within its timeout. The command was
 * stopped; what it printed until then is kept.
 */
public final class ExecTimeoutException extends BottleException {
    private static final long serialVersionUID = 1L;

    private final transient ExecResult partial;

    /**
     * Creates the exception.
     *
     * @param argv the command
     * @param timeout the timeout that elapsed
     * @param partial what the command printed before it was stopped; its exit code is -1
     */
    public ExecTimeoutException(List<String> argv, Duration timeout, ExecResult partial) {
        super("command " + argv + " did not finish within " + timeout.toMillis()
                + " ms; raise ExecOptions.timeout or make the command finish sooner");
        this.partial = partial;
    }

    /**
     * Returns what the command printed before it was stopped.
     *
     * @return the partial result, exit code -1
     */
    public ExecResult partialResult() {
        return partial;
    }
}
