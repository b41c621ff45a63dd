package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.Owner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Removes (or, on a dry run, reports) a backend's labelled containers, then networks, of bottles
 * that are not live. A bottle is live when any of its resources says so
 * ({@link CleanupRequest#keeps}, after {@link Owner#keeps}): its
 * owner may be alive, on this host or another, even while it is still launching.
 */
public final class LabelledCleanup {
    private LabelledCleanup() {}

    /**
     * Cleans up by label what no live bottle holds.
     *
     * @param engine the engine
     * @param backendId the {@code dev.bottles.backend} label value
     * @param alsoLive further identities to keep (a backend's own runtime, e.g. running VMs)
     * @param request what to do, and which bottles it may touch
     * @return what was (or would be) removed, and what could not be
     */
    public static CleanupReport run(
            DockerEngine engine, String backendId, Set<String> alsoLive, CleanupRequest request) {
        // one listing, judged and removed from: a resource created since (a bottle launching this
        // moment) is not in it, and each one removed is judged again by its own labels
        Map<String, String> label = Map.of(Labels.BACKEND, backendId);
        List<DockerEngine.ContainerRef> containers = engine.containers(label);
        List<DockerEngine.NetworkRef> networks = engine.networks(label);
        Set<String> live = new HashSet<>(alsoLive);
        live.addAll(live(containers, networks, request));
        return remove(
                engine,
                containers,
                networks,
                labels -> !live.contains(identity(labels)) && !request.keeps(identity(labels), labels, false),
                labels -> request.reason(identity(labels), labels),
                request.dryRun());
    }

    private static String identity(Map<String, String> labels) {
        return labels.getOrDefault(Labels.IDENTITY, "");
    }

    /**
     * Returns the identities of a backend's live bottles on the engine: those any of whose
     * containers or networks {@linkplain Owner#keeps keeps} them. Of a bottle recorded before
     * owners were, only a running agent keeps it.
     *
     * @param engine the engine
     * @param backendId the {@code dev.bottles.backend} label value
     * @param request the cleanup that asks, which knows some owners gone and may touch only some bottles
     * @return the live identities
     */
    public static Set<String> live(DockerEngine engine, String backendId, CleanupRequest request) {
        Map<String, String> label = Map.of(Labels.BACKEND, backendId);
        return live(engine.containers(label), engine.networks(label), request);
    }

    private static Set<String> live(
            List<DockerEngine.ContainerRef> containers,
            List<DockerEngine.NetworkRef> networks,
            CleanupRequest request) {
        Set<String> live = new HashSet<>();
        for (DockerEngine.ContainerRef c : containers) {
            boolean agentRuns = c.running() && Labels.AGENT.equals(c.labels().get(Labels.ROLE));
            if (request.keeps(identity(c.labels()), c.labels(), agentRuns)) {
                live.add(identity(c.labels()));
            }
        }
        for (DockerEngine.NetworkRef n : networks) {
            if (request.keeps(identity(n.labels()), n.labels(), false)) {
                live.add(identity(n.labels()));
            }
        }
        return live;
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
        Map<String, String> label = Map.of(Labels.BACKEND, backendId, Labels.IDENTITY, identity);
        return remove(
                engine, engine.containers(label), engine.networks(label), labels -> true, labels -> "stopped", false);
    }

    private static CleanupReport remove(
            DockerEngine engine,
            List<DockerEngine.ContainerRef> containers,
            List<DockerEngine.NetworkRef> networks,
            Predicate<Map<String, String>> doomed,
            Function<Map<String, String>, String> why,
            boolean dryRun) {
        List<String> removed = Collections.synchronizedList(new ArrayList<>());
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        // in parallel: a bottle's agent and bundle go at once, then its networks, which they held
        inParallel(
                containers.stream()
                        .filter(c -> doomed.test(c.labels()))
                        .map(c -> new Step(
                                "container " + c.name() + " (" + why.apply(c.labels()) + ")",
                                () -> engine.removeContainer(c.id())))
                        .toList(),
                dryRun,
                removed,
                failed);
        inParallel(
                networks.stream()
                        .filter(n -> doomed.test(n.labels()))
                        .map(n -> new Step(
                                "network " + n.name() + " (" + why.apply(n.labels()) + ")",
                                () -> engine.removeNetwork(n.id())))
                        .toList(),
                dryRun,
                removed,
                failed);
        return new CleanupReport(List.copyOf(removed), List.copyOf(failed));
    }

    /** One removal, and how the report names it. */
    private record Step(String what, Runnable removal) {}

    private static void inParallel(List<Step> steps, boolean dryRun, List<String> removed, List<String> failed) {
        joinAll(steps.stream()
                .map(st -> CompletableFuture.runAsync(
                        () -> attempt(st.what(), st.removal(), dryRun, removed, failed), DockerEngine.WORKERS))
                .toList());
    }

    private static void joinAll(List<CompletableFuture<Void>> steps) {
        try {
            CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
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
