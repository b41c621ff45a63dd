package dev.bottles.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster for tests with no cluster: fabric8's mock API server in CRUD mode, plus what a real
 * cluster's kubelet would do. A watcher plays the kubelet's status updates (every new pod becomes
 * Running and Ready with an address, unless a test says otherwise); {@code pods/exec} is answered over
 * the Kubernetes {@code v4.channel.k8s.io} protocol by an {@link Execs} the test gives (a scripted one,
 * or one that runs the command in a real container); {@code pods/log} answers from {@link #logs};
 * access reviews are allowed. Every request line is recorded, so a test can check what the API server
 * (and its audit log) saw. NetworkPolicy, admission and garbage collection are not played.
 */
final class FakeCluster implements AutoCloseable {
    /** Runs one exec: the pod, container, argv and stdin; writes the output; returns the exit code. */
    interface Execs {
        int run(String pod, String container, List<String> argv, InputStream stdin, OutputStream out, OutputStream err)
                throws IOException;
    }

    /** Plays a pod's start: sets its status. */
    interface Kubelet {
        void started(Pod pod, KubernetesClient client);
    }

    final List<String> requests = new CopyOnWriteArrayList<>();
    final Map<String, String> logs = new java.util.concurrent.ConcurrentHashMap<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Watch watch;
    private final AtomicInteger addresses = new AtomicInteger(10);
    volatile Execs execs = (pod, c, argv, in, out, err) -> 0;
    volatile Kubelet kubelet = FakeCluster::ready;

    FakeCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatch(), false);
        server.init();
        client = server.createClient();
        watch = client.pods().inAnyNamespace().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.ADDED) {
                    kubelet.started(pod, client);
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    KubernetesClient client() {
        return client;
    }

    /**
     * Lists a bottle's objects the way the backend's own teardown finds them: by identity label, per
     * kind it creates.
     *
     * @param c the client
     * @param ns the namespace
     * @param identity the bottle
     * @return pods, policies, Secrets and ConfigMaps, in that order
     */
    static List<io.fabric8.kubernetes.api.model.HasMetadata> labelled(KubernetesClient c, String ns, String identity) {
        Map<String, String> l = Map.of(dev.bottles.kubernetes.internal.Names.IDENTITY, identity);
        List<io.fabric8.kubernetes.api.model.HasMetadata> out = new ArrayList<>();
        out.addAll(c.pods().inNamespace(ns).withLabels(l).list().getItems());
        out.addAll(c.network()
                .networkPolicies()
                .inNamespace(ns)
                .withLabels(l)
                .list()
                .getItems());
        out.addAll(c.secrets().inNamespace(ns).withLabels(l).list().getItems());
        out.addAll(c.configMaps().inNamespace(ns).withLabels(l).list().getItems());
        return out;
    }

    /** The admin's one-time objects, as docs/kubernetes.md lists them, and the verification record. */
    FakeCluster initialised(String ns) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                        .addToAnnotations(KubernetesSettings.VERIFIED_ANNOTATION, "test")
                        .endMetadata()
                        .build())
                .create();
        client.network()
                .networkPolicies()
                .inNamespace(ns)
                .resource(new NetworkPolicyBuilder()
                        .withNewMetadata()
                        .withName(KubernetesSettings.DEFAULT_DENY)
                        .endMetadata()
                        .withNewSpec()
                        .withNewPodSelector()
                        .endPodSelector()
                        .withPolicyTypes("Ingress", "Egress")
                        .endSpec()
                        .build())
                .create();
        return this;
    }

    static void ready(Pod pod, KubernetesClient client) {
        String ip = "10.244.0." + (Math.abs(pod.getMetadata().getName().hashCode()) % 200 + 2);
        status(client, pod, ip, true, null);
    }

    static void status(KubernetesClient client, Pod pod, String ip, boolean ready, String waiting) {
        PodBuilder b = new PodBuilder(pod)
                .withNewStatus()
                .withPhase(waiting == null ? "Running" : "Pending")
                .withPodIP(ip)
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .addNewContainerStatus()
                .withName(pod.getSpec().getContainers().get(0).getName())
                .withNewState()
                .withNewWaiting()
                .withReason(waiting)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus();
        if (waiting == null) {
            b.editStatus()
                    .editContainerStatus(0)
                    .withNewState()
                    .withNewRunning()
                    .endRunning()
                    .endState()
                    .endContainerStatus()
                    .endStatus();
        }
        client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(b.build())
                .updateStatus();
    }

    @Override
    public void close() {
        watch.close();
        client.close();
        server.destroy();
    }

    private final class Dispatch extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            requests.add(request.getMethod() + " " + path);
            if (path.contains("/exec?")) {
                return exec(path);
            }
            if (path.contains("/log")) {
                String pod = path.replaceAll(".*/pods/([^/?]+)/log.*", "$1");
                return new MockResponse().setResponseCode(200).setBody(logs.getOrDefault(pod, ""));
            }
            if (path.contains("selfsubjectaccessreviews")) {
                String body = request.getUtf8Body();
                String answer = body.replaceFirst("\\}\\s*$", ",\"status\":{\"allowed\":true}}");
                return new MockResponse().setResponseCode(201).setBody(answer);
            }
            return super.dispatch(request);
        }

        private MockResponse exec(String path) {
            String pod = path.replaceAll(".*/pods/([^/?]+)/exec.*", "$1");
            String query = path.substring(path.indexOf('?') + 1);
            List<String> argv = new ArrayList<>();
            String container = "";
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                String k = kv.substring(0, eq);
                String v = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("command")) {
                    argv.add(v);
                } else if (k.equals("container")) {
                    container = v;
                }
            }
            String target = container;
            return new MockResponse()
                    .setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
                    .withWebSocketUpgrade(new Session(pod, target, argv));
        }
    }

    /** One exec: stdin frames into a pipe, the command's output out as frames, its status last. */
    private final class Session extends WebSocketListener {
        private final String pod;
        private final String container;
        private final List<String> argv;
        private final PipedOutputStream stdin = new PipedOutputStream();
        private final PipedInputStream in;

        Session(String pod, String container, List<String> argv) {
            this.pod = pod;
            this.container = container;
            this.argv = argv;
            try {
                // connected before the socket opens: stdin frames may come before onOpen runs
                in = new PipedInputStream(stdin, 1 << 20);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            Thread t = new Thread(
                    () -> {
                        int code;
                        try {
                            code = execs.run(pod, container, argv, in, new Channel(ws, 1), new Channel(ws, 2));
                        } catch (IOException | RuntimeException e) {
                            code = 126;
                            send(ws, 2, ("fake kubelet: " + e).getBytes(StandardCharsets.UTF_8));
                        }
                        String status = code == 0
                                ? "{\"metadata\":{},\"status\":\"Success\"}"
                                : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit"
                                        + " code\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                                        + "\"message\":\"" + code + "\"}]}}";
                        send(ws, 3, status.getBytes(StandardCharsets.UTF_8));
                        ws.close(1000, "");
                    },
                    "fake-kubelet-exec");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            if (bytes.length > 0 && bytes[0] == 0) {
                try {
                    stdin.write(bytes, 1, bytes.length - 1);
                    stdin.flush();
                } catch (IOException e) {
                    // the command ended and stopped reading
                }
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
    }

    private static synchronized void send(WebSocket ws, int channel, byte[] data) {
        byte[] frame = new byte[data.length + 1];
        frame[0] = (byte) channel;
        System.arraycopy(data, 0, frame, 1, data.length);
        ws.send(frame);
    }

    /** An output channel of an exec, as frames. */
    private static final class Channel extends OutputStream {
        private final WebSocket ws;
        private final int channel;

        Channel(WebSocket ws, int channel) {
            this.ws = ws;
            this.channel = channel;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > 0) {
                ByteArrayOutputStream copy = new ByteArrayOutputStream();
                copy.write(b, off, len);
                send(ws, channel, copy.toByteArray());
            }
        }
    }
}
