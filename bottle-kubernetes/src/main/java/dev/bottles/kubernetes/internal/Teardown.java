package dev.bottles.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes a bottle's objects by label, pods first (no grace), then its policies, its
 * Secret and its anchor. A missing object counts as removed. Never relies on the cluster's garbage
 * collector, which is only the backstop for a launch that crashed.
 */
public final class Teardown {
    private Teardown() {}

    /**
     * Removes everything labelled with a bottle's identity.
     *
     * @param client the client
     * @param namespace the namespace
     * @param identity the bottle
     * @return what could not be removed, empty when all went
     */
    public static List<String> remove(KubernetesClient client, String namespace, String identity) {
        Map<String, String> labels = Map.of(Names.IDENTITY, identity, Names.BACKEND, "kubernetes");
        List<String> failures = new ArrayList<>();
        attempt(
                failures,
                "pods",
                () -> client.pods()
                        .inNamespace(namespace)
                        .withLabels(labels)
                        .withGracePeriod(0)
                        .delete());
        attempt(
                failures,
                "network policies",
                () -> client.network()
                        .networkPolicies()
                        .inNamespace(namespace)
                        .withLabels(labels)
                        .delete());
        attempt(
                failures,
                "secrets",
                () -> client.secrets().inNamespace(namespace).withLabels(labels).delete());
        attempt(
                failures,
                "config maps",
                () -> client.configMaps()
                        .inNamespace(namespace)
                        .withLabels(labels)
                        .delete());
        return failures;
    }

    private static void attempt(List<String> failures, String what, Runnable r) {
        try {
            r.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                failures.add(what + ": " + e.getMessage());
            }
        }
    }
}
