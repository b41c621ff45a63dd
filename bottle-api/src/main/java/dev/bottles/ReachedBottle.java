package dev.bottles;

import dev.bottles.internal.ControlSocket;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.FoundBottle;
import dev.bottles.state.StateDir;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A bottle reached from outside the program that launched it, by identity, from its bottle home
 * ({@link Bottles#reach}): an operator can put the agent on this terminal or stop the bottle.
 *
 * <p>The launching program stays the owner. A stop asks it first, through its control socket (a
 * unix socket in the state dir, only this host user can connect): it keeps the state (so the bottle
 * can be resumed, transcript included) and tears the runtime down as its own {@code close} would.
 * When it no longer answers, the bottle's backend removes the runtime and the state is kept. An
 * attach runs in the bottle through its backend, with the values the launching program forwards
 * (the SDK keeps them nowhere else); when that program does not answer, without them.
 */
public final class ReachedBottle {
    private static final Duration ASK = Duration.ofSeconds(3);
    private static final Duration STOP = Duration.ofMinutes(2);

    private final StateDir state;
    private final BottleBackend backend;
    private final ControlSocket.@Nullable Hello owner;

    ReachedBottle(StateDir state, BottleBackend backend) {
        this.state = state;
        this.backend = backend;
        this.owner = ControlSocket.hello(ControlSocket.path(state), ASK).orElse(null);
    }

    /**
     * Returns the bottle's identity.
     *
     * @return the identity
     */
    public String identity() {
        return state.identity();
    }

    /**
     * Returns the id of the backend that runs it.
     *
     * @return e.g. {@code docker}
     */
    public String backend() {
        return backend.id();
    }

    /**
     * Tells whether the program that launched the bottle answered when it was reached.
     *
     * @return true when its owner is alive and answering
     */
    public boolean ownerAnswers() {
        return owner != null;
    }

    /**
     * Returns the command that runs the bottle's agent, resuming its last conversation when the
     * agent is Claude Code ({@code --continue}), as the original's dashboard re-attached.
     *
     * @return the command
     */
    public List<String> agentCommand() {
        List<String> argv = new ArrayList<>(owner != null ? owner.agentCommand() : List.of());
        if (argv.isEmpty()) {
            argv.addAll(List.of("claude", "--dangerously-skip-permissions"));
        }
        if (argv.get(0).equals("claude") || argv.get(0).endsWith("/claude")) {
            argv.add("--continue");
        }
        return argv;
    }

    /**
     * Runs a command in the bottle attached to this process's terminal, as the agent's user in its
     * workspace unless the options say otherwise.
     *
     * @param argv the command and its arguments
     * @param options user, directory, extra environment (the timeout is ignored)
     * @return the command's exit code
     * @throws BottleException when the bottle is not running, or its backend cannot reach it
     */
    public int attach(List<String> argv, ExecOptions options) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name a command");
        }
        Map<String, String> forwarded =
                owner != null ? ControlSocket.forwarded(ControlSocket.path(state), ASK) : Map.of();
        return found(forwarded).attach(List.copyOf(argv), options);
    }

    /**
     * Stops the bottle and keeps its state for {@code resume}: through the program that launched it
     * when it answers, else through its backend.
     *
     * @throws BottleException when it is not running, or could not be stopped
     */
    public void stop() {
        boolean asked = owner != null;
        if (asked) {
            // its program keeps the state and closes the bottle; it may exit as soon as the bottle is
            // down, before it answers, so the runtime is what tells whether the stop happened
            ControlSocket.call(ControlSocket.path(state), "stop", STOP);
        }
        Optional<FoundBottle> left = backend.find(identity(), Map.of());
        if (left.isPresent()) {
            state.preserve();
            left.get().remove();
        } else if (!asked) {
            throw notRunning();
        }
    }

    private FoundBottle found(Map<String, String> forwarded) {
        return backend.find(identity(), forwarded).orElseThrow(this::notRunning);
    }

    private BottleException notRunning() {
        return new BottleException("bottle " + identity() + " is not running on " + backend.id()
                + (owner == null ? "" : " (or that backend cannot reach a bottle launched elsewhere)")
                + "; 'bottle list' shows what runs, and 'bottle resume " + identity() + "' brings a kept bottle back");
    }

    @Override
    public String toString() {
        return "ReachedBottle[" + identity() + " on " + backend.id() + (owner != null ? ", owner answers" : "") + "]";
    }
}
