package dev.bottles.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.kubernetes.internal.ClusterProbe;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.spi.Availability;
import dev.bottles.spi.Settings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The admin's side against the mock API server: the one-time objects, what {@code probe()} asks of a
 * namespace, and a verification that records enforcement only when every escape attempt was blocked
 * and the canary still reached its own bundle.
 */
class KubernetesAdminTest {
    static final Map<String, String> IMAGES = Map.of(
            KubernetesSettings.IMAGE, "reg.example/agent:1", KubernetesSettings.BUNDLE_IMAGE, "reg.example/bundle:1");

    @Test
    void theOneTimeObjectsAreARestrictedNamespaceADefaultDenyAndANarrowRole() {
        List<HasMetadata> objects = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .unmarshal(KubernetesAdmin.initYaml("team-a"));
        Namespace ns = (Namespace) objects.get(0);
        assertEquals("restricted", ns.getMetadata().getLabels().get(ClusterProbe.PSA_ENFORCE));
        assertTrue(ClusterProbe.isDefaultDeny((NetworkPolicy) objects.get(1)));
        String role = Serialization.asYaml(objects.get(2));
        assertFalse(role.contains("\"*\"") || role.contains("- '*'"), "no wildcard in the SDK's Role: " + role);
        for (ClusterProbe.Access a : ClusterProbe.NEEDED) {
            String resource = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
            assertTrue(role.contains(resource), "the Role grants what probe() checks: " + a);
        }
    }

    @Test
    void withNoClusterConfiguredTheBackendIsUnavailableWithoutAskingTheNetwork(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertFalse(KubernetesBackend.configured(
                Map.of("KUBECONFIG", dir.resolve("none").toString())));
        assertTrue(KubernetesBackend.configured(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")));
    }

    @Test
    void probeSaysWhatIsMissingUntilTheNamespaceIsReadyAndVerified() {
        try (FakeCluster cluster = new FakeCluster()) {
            Settings s = new Settings(IMAGES, Map.of());
            Availability none = ClusterProbe.probe(cluster::client, s, Duration.ofSeconds(5));
            assertFalse(none.available());
            assertTrue(none.reason().contains("namespace bottles does not exist"), none.reason());

            try (KubernetesAdmin admin = new KubernetesAdmin(cluster.client())) {
                admin.applyInit("bottles");
            }
            Availability unverified = ClusterProbe.probe(cluster::client, s, Duration.ofSeconds(5));
            assertFalse(unverified.available());
            assertTrue(unverified.reason().contains("has not been verified"), unverified.reason());

            Availability trusted = ClusterProbe.probe(
                    cluster::client,
                    new Settings(Map.of(KubernetesSettings.TRUST_CNI, "1"), IMAGES),
                    Duration.ofSeconds(5));
            assertTrue(trusted.available(), trusted.reason());

            Availability noImages = ClusterProbe.probe(
                    cluster::client,
                    new Settings(Map.of(KubernetesSettings.TRUST_CNI, "1"), Map.of()),
                    Duration.ofSeconds(5));
            assertTrue(noImages.reason().contains(KubernetesSettings.BUNDLE_IMAGE), noImages.reason());
        }
    }

    private static KubernetesAdmin.Verification verify(FakeCluster cluster, String escapes) {
        AtomicReference<String> ownBundle = new AtomicReference<>("");
        cluster.execs = new ScriptedExecs(c -> 0, c -> {
            if (!c.argv().contains("probe")) {
                return "";
            }
            String url = c.argv().get(c.argv().size() - 1);
            if (ownBundle.get().isEmpty()) {
                // the first canary's bundle: the control must reach it
                var pods = cluster.client()
                        .pods()
                        .inNamespace("bottles")
                        .withLabels(Map.of(Names.ROLE, Names.BUNDLE))
                        .list()
                        .getItems();
                ownBundle.set(pods.get(0).getStatus().getPodIP());
            }
            boolean connects = url.contains(ownBundle.get() + ":") || (!escapes.isEmpty() && url.contains(escapes));
            return connects ? "0.001234 0" : "0.000000 28";
        });
        try (KubernetesAdmin admin = new KubernetesAdmin(cluster.client())) {
            return admin.verify("bottles", IMAGES, true);
        }
    }

    @Test
    void verificationRecordsEnforcementOnlyWhenEveryEscapeWasBlocked() {
        try (FakeCluster cluster = new FakeCluster()) {
            new KubernetesAdmin(cluster.client()).applyInit("bottles");
            KubernetesAdmin.Verification leaky = verify(cluster, "169.254.169.254");
            assertFalse(leaky.enforced());
            assertNull(leaky.recorded());
            assertTrue(leaky.probes().stream()
                    .anyMatch(p -> p.name().equals("metadata") && p.outcome() == EscapeProbe.Outcome.ESCAPED));
            Map<String, String> notes = cluster.client()
                    .namespaces()
                    .withName("bottles")
                    .get()
                    .getMetadata()
                    .getAnnotations();
            assertTrue(notes == null || !notes.containsKey(KubernetesSettings.VERIFIED_ANNOTATION));

            KubernetesAdmin.Verification tight = verify(cluster, "");
            assertTrue(tight.enforced(), tight.probes().toString());
            assertTrue(
                    tight.probes().stream().anyMatch(p -> p.name().equals("other-bottle")),
                    tight.probes().toString());
            assertTrue(cluster.client()
                    .namespaces()
                    .withName("bottles")
                    .get()
                    .getMetadata()
                    .getAnnotations()
                    .containsKey(KubernetesSettings.VERIFIED_ANNOTATION));
            // the canaries are gone either way
            assertEquals(
                    List.of(),
                    cluster.client().pods().inNamespace("bottles").list().getItems());
        }
    }
}
