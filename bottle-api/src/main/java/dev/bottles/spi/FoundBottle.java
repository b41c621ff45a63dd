package dev.bottles.spi;

import dev.bottles.ExecOptions;
import java.util.List;

/**
 * A backend's handle on one of its bottles found running by identity, launched by another program
 * (or an earlier run of this one). The facade uses it to put an operator on the agent's terminal
 * and to stop a bottle whose launching program no longer answers; the launching program keeps its
 * own handle and stays the bottle's owner.
 */
public interface FoundBottle {

    /**
     * Returns the bottle's identity.
     *
     * @return the identity
     */
    String identity();

    /**
     * Runs a command attached to this process's terminal, as {@link dev.bottles.RunningBottle#attach}
     * does: as the agent's user in its workspace unless the options say otherwise, with the values
     * the launching program forwarded (when it gave them) added to the command's environment.
     *
     * @param argv the command and its arguments
     * @param options user, directory, extra environment (the timeout is ignored)
     * @return the command's exit code
     * @throws dev.bottles.BottleException when it cannot be run
     */
    int attach(List<String> argv, ExecOptions options);

    /**
     * Removes the bottle's runtime resources (never its state dir). Idempotent; missing resources
     * count as removed.
     *
     * @throws dev.bottles.BottleException when something could not be removed
     */
    void remove();
}
