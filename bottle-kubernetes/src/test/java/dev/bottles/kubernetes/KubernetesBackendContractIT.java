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
        // runs before the contract's own @AfterEach closes what the test opened: every container this
        // test's kubelet made goes here, whatever the test left
        kubelet.removeAll();
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
        Set<String> out = new LinkedHashSet<>(TestImages.labelled(identity));
        FakeCluster.labelled(c, KubernetesBackendMockTest.NS, identity)
                .forEach(o -> out.add(o.getKind() + " " + o.getMetadata().getName()));
        return out;
    }

    @org.junit.jupiter.api.Test
    void filesGoInAndComeOutThroughExecAndAForwardedValueReachesTheCommandOnly() throws Exception {
        dev.bottles.RunningBottle b = launch(prepare(spec()));
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
            byte[] big = new byte[3 * 1024 * 1024 + 17];
            new java.util.Random(7).nextBytes(big);
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("data/blob.bin");
            e.setSize(big.length);
            t.putArchiveEntry(e);
            t.write(big);
            t.closeArchiveEntry();
        }
        b.copyTo(new java.io.ByteArrayInputStream(tar.toByteArray()), "/workspace");
        String sum =
                b.exec("sh", "-c", "wc -c < /workspace/data/blob.bin").stdout().strip();
        org.junit.jupiter.api.Assertions.assertEquals(Integer.toString(3 * 1024 * 1024 + 17), sum);
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        b.copyFrom("/workspace/data", back);
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(back.toByteArray()))) {
            var entry = in.getNextEntry();
            while (entry != null && entry.isDirectory()) {
                entry = in.getNextEntry();
            }
            org.junit.jupiter.api.Assertions.assertNotNull(entry);
            org.junit.jupiter.api.Assertions.assertEquals(3 * 1024 * 1024 + 17, in.readAllBytes().length);
        }
        // stdin larger than any buffer, through the wrapper's framing, byte for byte
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] input = new byte[1_000_003];
        new java.util.Random(9).nextBytes(input);
        int code = b.execStreaming(
                java.util.List.of("sh", "-c", "wc -c"),
                dev.bottles.ExecOptions.defaults(),
                new java.io.ByteArrayInputStream(input),
                out,
                java.io.OutputStream.nullOutputStream());
        org.junit.jupiter.api.Assertions.assertEquals(0, code);
        org.junit.jupiter.api.Assertions.assertEquals("1000003", out.toString().strip());
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        return spec.setting(KubernetesSettings.IMAGE, "bottles-missing-image:0");
    }
}
