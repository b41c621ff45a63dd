package dev.bottles.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a faked command answers.
 *
 * @param exitCode the exit code
 * @param stdout what it prints on standard output
 * @param stderr what it prints on standard error
 * @param duration how long it pretends to take; longer than the exec's timeout means it times out
 */
public record ExecReply(int exitCode, String stdout, String stderr, Duration duration) {

    /**
     * Validates the reply.
     *
     * @param exitCode the exit code
     * @param stdout standard output
     * @param stderr standard error
     * @param duration how long it takes
     */
    public ExecReply {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
    }

    /**
     * Creates an instant reply.
     *
     * @param exitCode the exit code
     * @param stdout standard output
     * @param stderr standard error
     * @return the reply
     */
    public static ExecReply of(int exitCode, String stdout, String stderr) {
        return new ExecReply(exitCode, stdout, stderr, Duration.ZERO);
    }
}
