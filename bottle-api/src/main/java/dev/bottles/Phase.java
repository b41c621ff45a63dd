package dev.bottles;

/** The phases of a bottle's life, in order. Each is reported with its duration. */
public enum Phase {
    /** Choosing the backend. */
    SELECT,
    /** Checking the definitions against the host (env, keys, skills). */
    VALIDATE,
    /** Resolving names, state files and sidecar configs into a plan. */
    PREPARE,
    /** Creating runtime resources; steps name each one. */
    LAUNCH,
    /** Running a command in the bottle. */
    EXEC,
    /** Tearing the runtime resources down. */
    CLOSE,
    /** Applying the teardown rule to the state dir. */
    SETTLE
}
