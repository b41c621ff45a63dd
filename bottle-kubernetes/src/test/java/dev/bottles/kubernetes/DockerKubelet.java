package dev.bottles.kubernetes;

import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.kubernetes.internal.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kubelet for {@link FakeCluster} that runs each agent pod as a real container on the engine (its
 * image, command and user; every capability dropped; no network; memory-backed {@code /run/bottle},
 * {@code /workspace} and {@code /tmp}) and runs the pod's execs in it with the engine's exec, so the
 * SDK's wrapper, framing, timeouts and copies meet stock busybox. A bundle pod is only marked ready:
 * no network policy or bundle runs here, so egress is not enforced. Containers carry the pod's
 * {@code dev.bottles.*} labels and go with the pod.
 */
final class DockerKubelet implements FakeCluster.Kubelet, FakeCluster.Execs {
    private final DockerEngine engine = TestImages.engine();
    private final java.util.Set<String> created = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static String container(String pod) {
        return "k8s-it-" + pod;
    }

    @Override
    public void started(Pod pod, KubernetesClient client) {
        if (!Names.AGENT.equals(pod.getMetadata().getLabels().get(Names.ROLE))) {
            FakeCluster.ready(pod, client);
            return;
        }
        var c = pod.getSpec().getContainers().get(0);
        String name = container(pod.getMetadata().getName());
        Map<String, String> labels = new LinkedHashMap<>(pod.getMetadata().getLabels());
        try {
            if (!engine.imageExists(c.getImage())) {
                FakeCluster.status(client, pod, "", false, "ErrImagePull");
                return;
            }
            // a pod of the same name was deleted before (a resumed bottle): its container goes first
            engine.removeContainer(name);
            long uid = c.getSecurityContext().getRunAsUser();
            // an emptyDir belongs to the pod's fsGroup: the pod's user may write it
            String owner = ",uid=" + uid + ",gid=" + uid;
            Map<String, String> tmpfs = Map.of(
                    "/run/bottle", "rw,nosuid,nodev,size=16m,mode=0770" + owner,
                    "/workspace", "rw,nosuid,nodev,size=256m,mode=0770" + owner,
                    "/tmp", "rw,nosuid,nodev,size=64m,mode=1777");
            engine.createContainer(ContainerSpec.builder(name, c.getImage(), "none")
                    .cmd(c.getCommand())
                    .env(List.of("HOME=" + c.getEnv().get(0).getValue()))
                    .labels(labels)
                    .hardening(new ContainerSpec.Hardening(true, 256, 0, uid + ":" + uid, false, tmpfs))
                    .build());
            created.add(name);
            engine.start(name);
            FakeCluster.ready(pod, client);
        } catch (RuntimeException e) {
            engine.removeContainer(name);
            FakeCluster.status(client, pod, "", false, "CreateContainerError");
        }
    }

    @Override
    public int run(String pod, String container, List<String> argv, InputStream in, OutputStream out, OutputStream err)
            throws java.io.IOException {
        // the engine's exec ends its stream only once stdin ends, which a cluster's never does: hand the
        // command exactly what its framing says it reads, then the end
        byte[] framed = ScriptedExecs.readFramed(argv, in);
        DockerEngine.StreamOutcome o = engine.stream(
                DockerEngine.Command.in(container(pod), argv),
                new DockerEngine.Streams(new java.io.ByteArrayInputStream(framed), out, err),
                Duration.ofMinutes(10));
        return o.exitCode();
    }

    /** Removes every container this kubelet created, whatever became of its pod. */
    void removeAll() {
        for (String name : created) {
            engine.removeContainer(name);
        }
        created.clear();
    }

    /** Removes the containers of pods that are gone. */
    void removeGone(KubernetesClient client) {
        for (DockerEngine.ContainerRef c : engine.containers(Map.of(Names.BACKEND, "kubernetes"))) {
            String pod = c.name().replaceFirst("^/?k8s-it-", "");
            if (client.pods()
                            .inNamespace(KubernetesBackendMockTest.NS)
                            .withName(pod)
                            .get()
                    == null) {
                engine.removeContainer(c.id());
            }
        }
    }
}
