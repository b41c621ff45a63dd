package dev.bottles.kubernetes;

import dev.bottles.BottleSpec;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.BottleBackendContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/**
 * The kubernetes backend owes what every backend owes, on fabric8's mock API server with a kubelet
 * that runs the agent pod as a real container ({@link DockerKubelet}): exec output, exit codes and
 * timeouts, copies, the environment and cleanup are real; NetworkPolicy is not (no CNI runs here), so
 * the contract's egress check is off.
 */
class KubernetesBackendContractIT extends BottleBackendContract {
    private FakeCluster cluster;
    private DockerKubelet kubelet;

    @Override
    protected BottleBackend createBackend() {
        cluster = new FakeCluster().initialised(KubernetesBackendMockTest.NS);
        kubelet = new DockerKubelet();
        cluster.kubelet = kubelet;
        cluster.execs = (pod, container, argv, in, out, err) ->
                Names.AGENT_CONTAINER.equals(container) ? kubelet.run(pod, container, argv, in, out, err) : 0;
        return new KubernetesBackend(cluster.client());
    }

    @AfterEach
    void stopTheCluster() {
        kubelet.removeGone(cluster.client());
        cluster.close();
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                KubernetesSettings.IMAGE,
                TestImages.probeAgent(),
                KubernetesSettings.BUNDLE_IMAGE,
                "bundle.invalid/not-run-here:1");
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        KubernetesClient c = cluster.client();
        // a kubelet removes a deleted pod's container; this one does it when asked
        kubelet.removeGone(c);
        Map<String, String> l = Map.of(Names.IDENTITY, identity);
        Set<String> out = new LinkedHashSet<>(TestImages.labelled(identity));
        String ns = KubernetesBackendMockTest.NS;
        c.pods()
                .inNamespace(ns)
                .withLabels(l)
                .list()
                .getItems()
                .forEach(p -> out.add("pod " + p.getMetadata().getName()));
        c.network()
                .networkPolicies()
                .inNamespace(ns)
                .withLabels(l)
                .list()
                .getItems()
                .forEach(p -> out.add("networkpolicy " + p.getMetadata().getName()));
        c.secrets()
                .inNamespace(ns)
                .withLabels(l)
                .list()
                .getItems()
                .forEach(p -> out.add("secret " + p.getMetadata().getName()));
        c.configMaps()
                .inNamespace(ns)
                .withLabels(l)
                .list()
                .getItems()
                .forEach(p -> out.add("configmap " + p.getMetadata().getName()));
        return out;
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        return spec.setting(KubernetesSettings.IMAGE, "bottles-missing-image:0");
    }
}
