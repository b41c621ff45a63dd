package dev.bottles.state;

import dev.bottles.BottleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The bottle home ({@code $BOTTLE_HOME}, default {@code ~/.claude-bottle}): definitions, per-bottle
 * state, supervise queues and the audit log.
 *
 * @param root the directory
 */
public record BottleHome(Path root) {
    /** The system property naming the home; wins over the environment. */
    public static final String PROPERTY = "bottle.home";
    /** The environment variable naming the home. */
    public static final String ENV = "BOTTLE_HOME";

    /**
     * Normalises the path.
     *
     * @param root the directory
     */
    public BottleHome {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * Resolves the home: an explicit path wins, then the {@code bottle.home} system property, then
     * {@code BOTTLE_HOME} in the given environment, then {@code ~/.claude-bottle}.
     *
     * @param explicit a path set in code, or null
     * @param environment the host environment
     * @return the home
     */
    public static BottleHome resolve(@Nullable Path explicit, Map<String, String> environment) {
        if (explicit != null) {
            return new BottleHome(explicit);
        }
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return new BottleHome(Path.of(prop));
        }
        String env = environment.get(ENV);
        if (env != null && !env.isBlank()) {
            return new BottleHome(Path.of(env));
        }
        return new BottleHome(Path.of(System.getProperty("user.home"), ".claude-bottle"));
    }

    /**
     * Returns where bottles are defined.
     *
     * @return {@code bottles/}
     */
    public Path bottlesDir() {
        return root.resolve("bottles");
    }

    /**
     * Returns where the home's agents are defined.
     *
     * @return {@code agents/}
     */
    public Path agentsDir() {
        return root.resolve("agents");
    }

    /**
     * Returns the parent of every state dir.
     *
     * @return {@code state/}
     */
    public Path stateRoot() {
        return root.resolve("state");
    }

    /**
     * Returns a bottle's state dir (not created).
     *
     * @param identity the bottle's identity
     * @return the state dir
     */
    public StateDir state(String identity) {
        return new StateDir(stateRoot().resolve(BottleIdentity.of(identity).value()), identity);
    }

    /**
     * Returns a bottle's supervise queue directory (not created).
     *
     * @param identity the bottle's identity
     * @return {@code queue/<identity>/}
     */
    public Path queueDir(String identity) {
        return root.resolve("queue").resolve(BottleIdentity.of(identity).value());
    }

    /**
     * Returns the audit log directory (not created).
     *
     * @return {@code audit/}
     */
    public Path auditDir() {
        return root.resolve("audit");
    }

    /**
     * Returns the JSON-lines log of approval decisions (not created).
     *
     * @return {@code audit/approvals.jsonl}
     */
    public Path approvalsLog() {
        return auditDir().resolve("approvals.jsonl");
    }

    /**
     * Lists the state dirs present.
     *
     * @return one per directory under {@code state/} whose name is a valid identity
     */
    public List<StateDir> states() {
        Path dir = stateRoot();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<StateDir> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                    out.add(new StateDir(p, name));
                }
            }
        } catch (IOException e) {
            throw new BottleException("cannot list " + dir + " (" + e + ")", e);
        }
        return out;
    }
}
