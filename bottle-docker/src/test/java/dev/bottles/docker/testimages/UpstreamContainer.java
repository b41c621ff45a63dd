package dev.bottles.docker.testimages;

import dev.bottles.RunningBottle;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.JavaRuntime;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.state.SecureFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assertions;

/**
 * A test upstream container on a bottle's outbound network: started with files copied in, ready
 * when its log says so, its control port (8099) published on 127.0.0.1 for the test, labelled with
 * the bottle's identity, removed on close.
 *
 * @param engine the engine
 * @param name the container's name
 * @param network the network it joined
 * @param control the host port of its control endpoint
 */
public record UpstreamContainer(DockerEngine engine, String name, String network, int control)
        implements AutoCloseable {

    /**
     * Starts an upstream.
     *
     * @param engine the engine
     * @param image the image
     * @param identity the bottle it serves (its labels)
     * @param network the bottle's outbound network
     * @param aliases the names it answers to there
     * @param filesTar a tar unpacked at {@code /} before it starts
     * @param readyLine the log line that says it is ready
     * @return the running upstream
     */
    public static UpstreamContainer start(
            DockerEngine engine,
            String image,
            String identity,
            String network,
            List<String> aliases,
            byte[] filesTar,
            String readyLine) {
        String name = "bottle-test-upstream-" + identity + "-" + Integer.toHexString(image.hashCode());
        String id = engine.createContainer(ContainerSpec.builder(name, image, network)
                .labels(Map.of(
                        "dev.bottles.identity",
                        identity,
                        "dev.bottles.backend",
                        "test",
                        "dev.bottles.role",
                        "test-upstream"))
                .aliases(aliases)
                .hardening(ContainerSpec.Hardening.agent(ContainerSpec.PIDS_LIMIT, 0))
                .publishedPorts(List.of(8099))
                .build());
        try {
            engine.copyTar(id, "/", new ByteArrayInputStream(filesTar));
            engine.start(id);
            Assertions.assertEquals(
                    DockerEngine.LogWait.FOUND,
                    engine.awaitLogLine(id, readyLine, "Exception", Duration.ofSeconds(60)),
                    () -> engine.logTail(id, 30));
            return new UpstreamContainer(
                    engine, name, network, engine.hostPort(name, 8099).orElseThrow());
        } catch (RuntimeException | Error e) {
            engine.removeContainer(id);
            throw e;
        }
    }

    /**
     * Returns a tar holding {@code /certs/server.p12} (password {@code test}): a key and certificate
     * for the names, issued by a test CA, as the test upstreams read it.
     *
     * @param ca the test CA (egress is told to trust it)
     * @param names the names the certificate covers
     * @return the tar
     * @throws Exception when it cannot be made
     */
    public static byte[] certsTar(CertificateAuthority ca, List<String> names) throws Exception {
        CertificateAuthority.Leaf leaf = ca.issue(names, Duration.ofDays(1), Clock.systemUTC());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", leaf.privateKey(), "test".toCharArray(), leaf.chain());
        ByteArrayOutputStream p12 = new ByteArrayOutputStream();
        ks.store(p12, "test".toCharArray());
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (var out = JavaRuntime.tar(tar)) {
            JavaRuntime.directory(out, "certs", 0755);
            JavaRuntime.bytes(out, "certs/server.p12", p12.toByteArray(), 0644);
            out.finish();
        }
        return tar.toByteArray();
    }

    /**
     * Returns its address on the network.
     *
     * @return the IP
     */
    public String ip() {
        return engine.containerAddresses(name).get(network);
    }

    /**
     * Asks its control endpoint.
     *
     * @param path e.g. {@code /seen}
     * @param post whether to POST rather than GET
     * @return the body, stripped
     * @throws IOException when it does not answer
     * @throws InterruptedException when interrupted
     */
    public String ask(String path, boolean post) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control + path));
        b = post ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return HttpClient.newHttpClient()
                .send(b.build(), HttpResponse.BodyHandlers.ofString())
                .body()
                .strip();
    }

    @Override
    public void close() {
        engine.removeContainer(name);
    }

    /**
     * Ends a test's bottle: its upstream, the bottle, its temporary home; then checks the engine
     * holds nothing labelled with its identity.
     *
     * @param upstream the upstream, or null
     * @param bottle the bottle, or null
     * @param home the temporary bottle home
     */
    public static void tearDown(
            @org.jspecify.annotations.Nullable UpstreamContainer upstream,
            @org.jspecify.annotations.Nullable RunningBottle bottle,
            Path home) {
        String identity = bottle == null ? null : bottle.identity();
        try {
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            if (bottle != null) {
                bottle.close();
            }
            SecureFiles.deleteRecursively(home);
        }
        if (identity != null) {
            Assertions.assertEquals(Set.of(), TestImages.labelled(identity), "the test leaves nothing behind");
        }
    }
}
