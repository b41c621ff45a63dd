package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.spi.CleanupReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Removes (or, on a dry run, reports) a backend's labelled containers, then networks, of bottles not live. */
public final class LabelledCleanup {
    private LabelledCleanup() {}

    /**
     * Cleans up by label.
     *
     * @param engine the engine
     * @param backendId the {@code dev.bottles.backend} label value
     * @param live identities to keep
     * @param dryRun report without removing
     * @return what was (or would be) removed, and what could not be
     */
    public static CleanupReport run(DockerEngine engine, String backendId, Set<String> live, boolean dryRun) {
        return remove(engine, Map.of(Labels.BACKEND, backendId), identity -> !live.contains(identity), dryRun);
    }

    /**
     * Removes one bottle's labelled containers, then its networks.
     *
     * @param engine the engine
     * @param backendId the {@code dev.bottles.backend} label value
     * @param identity the bottle
     * @return what was removed, and what could not be
     */
    public static CleanupReport bottle(DockerEngine engine, String backendId, String identity) {
        return remove(engine, Map.of(Labels.BACKEND, backendId, Labels.IDENTITY, identity), id -> true, false);
    }

    private static CleanupReport remove(
            DockerEngine engine, Map<String, String> label, Predicate<String> doomed, boolean dryRun) {
        List<String> removed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (DockerEngine.ContainerRef c : engine.containers(label)) {
            if (doomed.test(c.labels().get(Labels.IDENTITY))) {
                attempt("container " + c.name(), () -> engine.removeContainer(c.id()), dryRun, removed, failed);
            }
        }
        for (DockerEngine.NetworkRef n : engine.networks(label)) {
            if (doomed.test(n.labels().get(Labels.IDENTITY))) {
                attempt("network " + n.name(), () -> engine.removeNetwork(n.id()), dryRun, removed, failed);
            }
        }
        return new CleanupReport(removed, failed);
    }

    private static void attempt(
            String what, Runnable action, boolean dryRun, List<String> removed, List<String> failed) {
        try {
            if (!dryRun) {
                action.run();
            }
            removed.add(what);
        } catch (BottleException e) {
            failed.add(what + ": " + e.getMessage());
        }
    }
}
