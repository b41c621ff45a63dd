package dev.bottles.kubernetes;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.BottleBackendContract;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The backend on a real cluster: the contract with the real bundle (so egress is enforced), and the
 * escape probes {@code bottle k8s verify} runs. Runs only where {@code BOTTLE_K8S_IT_KUBECONFIG} names
 * a kubeconfig (never in this project's CI, which has no cluster); the namespace must have been
 * prepared ({@code bottle k8s init --apply}) and both images set in the environment
 * ({@code CLAUDE_BOTTLE_IMAGE}: an agent image with curl; {@code CLAUDE_BOTTLE_SIDECAR_IMAGE}). How a
 * user runs it: {@code docs/kubernetes.md}.
 */
class KubernetesClusterIT extends BottleBackendContract {
    static final String KUBECONFIG = "BOTTLE_K8S_IT_KUBECONFIG";

    static KubernetesClient client() {
        String path = System.getenv(KUBECONFIG);
        assumeTrue(path != null && !path.isBlank(), KUBECONFIG + " is not set: no cluster to run against");
        try {
            return new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(Path.of(path))))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    static String namespace() {
        return System.getenv().getOrDefault(KubernetesSettings.NAMESPACE, KubernetesSettings.DEFAULT_NAMESPACE);
    }

    @Override
    protected BottleBackend createBackend() {
        return new KubernetesBackend(client());
    }

    @Override
    protected boolean enforcesEgress() {
        return true;
    }

    @Override
    protected Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(KubernetesSettings.IMAGE, System.getenv().getOrDefault(KubernetesSettings.IMAGE, ""));
        s.put(KubernetesSettings.BUNDLE_IMAGE, System.getenv().getOrDefault(KubernetesSettings.BUNDLE_IMAGE, ""));
        return s;
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        KubernetesClient c = ((KubernetesBackend) backend).client();
        Set<String> out = new LinkedHashSet<>();
        FakeCluster.labelled(c, namespace(), identity)
                .forEach(o -> out.add(o.getKind() + " " + o.getMetadata().getName()));
        return out;
    }

    @Override
    protected dev.bottles.BottleSpec.Builder breakLaunch(dev.bottles.BottleSpec.Builder spec) {
        return spec.setting(KubernetesSettings.IMAGE, "bottles.invalid/missing-image:0");
    }

    @Test
    void noEscapeProbeGetsThrough() {
        try (KubernetesAdmin admin = new KubernetesAdmin(client())) {
            KubernetesAdmin.Verification v = admin.verify(namespace(), settings(), false);
            assertTrue(v.enforced(), "escape probes: " + v.probes());
        }
    }
}
