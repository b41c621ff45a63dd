package dev.bottles;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to run a command in a bottle.
 *
 * @param timeout how long the command may run before it is stopped and
 *     {@link ExecTimeoutException} is thrown
 * @param user the user to run as, or null for the bottle's default user
 * @param workingDir the working directory inside the bottle, or null for the default
 * @param env extra environment variables for this command only; never put secrets here
 */
public record ExecOptions(
        Duration timeout, @Nullable String user, @Nullable String workingDir, Map<String, String> env) {
    /** The default timeout: five minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private static final ExecOptions DEFAULTS = new ExecOptions(DEFAULT_TIMEOUT, null, null, Map.of());

    /**
     * Validates the options.
     *
     * @param timeout how long the command may run before it is stopped and
     *     {@link ExecTimeoutException} is thrown
     * @param user the user to run as, or null for the bottle's default user
     * @param workingDir the working directory inside the bottle, or null for the default
     * @param env extra environment variables for this command only; never put secrets here
     */
    public ExecOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /**
     * Returns the defaults: a five-minute timeout, the bottle's default user and directory.
     *
     * @return the default options
     */
    public static ExecOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another timeout.
     *
     * @param newTimeout the timeout, positive
     * @return the new options
     */
    public ExecOptions withTimeout(Duration newTimeout) {
        return new ExecOptions(newTimeout, user, workingDir, env);
    }

    /**
     * Returns a copy that runs as another user.
     *
     * @param newUser the user name or uid
     * @return the new options
     */
    public ExecOptions withUser(String newUser) {
        return new ExecOptions(timeout, newUser, workingDir, env);
    }

    /**
     * Returns a copy that runs in another directory.
     *
     * @param dir the directory inside the bottle
     * @return the new options
     */
    public ExecOptions withWorkingDir(String dir) {
        return new ExecOptions(timeout, user, dir, env);
    }

    /**
     * Returns a copy with one more environment variable.
     *
     * @param name the variable's name
     * @param value its value; never a secret
     * @return the new options
     */
    public ExecOptions withEnv(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put(name, value);
        return new ExecOptions(timeout, user, workingDir, e);
    }
}
