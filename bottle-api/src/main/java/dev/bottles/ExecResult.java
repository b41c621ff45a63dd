package dev.bottles;

import java.time.Duration;
import java.util.Objects;

/**
 * What a command run in a bottle did.
 *
 * @param exitCode the command's exit code
 * @param stdout its standard output, decoded as UTF-8
 * @param stderr its standard error, decoded as UTF-8
 * @param duration how long it ran, as seen by the caller
 */
public record ExecResult(int exitCode, String stdout, String stderr, Duration duration) {

    /**
     * Validates the result.
     *
     * @param exitCode the command's exit code
     * @param stdout its standard output, decoded as UTF-8
     * @param stderr its standard error, decoded as UTF-8
     * @param duration how long it ran, as seen by the caller
     */
    public ExecResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * Tells whether the command exited with 0.
     *
     * @return true when the exit code is 0
     */
    public boolean succeeded() {
        return exitCode == 0;
    }

    @Override
    public String toString() {
        return "ExecResult[exitCode=" + exitCode + ", stdout=" + stdout.length() + " chars, stderr=" + stderr.length()
                + " chars, duration=" + duration.toMillis() + " ms]";
    }
}
