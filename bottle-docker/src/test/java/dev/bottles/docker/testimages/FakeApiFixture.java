package dev.bottles.docker.testimages;

import dev.bottles.RunningBottle;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.Egress;
import dev.bottles.testkit.FakeAnthropicApi;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real Claude Code against {@link FakeAnthropicApi}: a test CA egress trusts, a bottle whose only
 * route is {@code api.anthropic.com} with the {@code claude_code_oauth} role (the host's token is
 * injected by egress; the agent holds a placeholder), and, once the bottle is up, the fake API in a
 * container on the bottle's outbound network answering as {@code api.anthropic.com}.
 */
public final class FakeApiFixture implements AutoCloseable {
    /** The host variable the bottle's route takes the token from. */
    public static final String TOKEN_ENV = Manifest.CLAUDE_TOKEN_ENV;
    /** The names the fake answers to on the outbound network. */
    public static final List<String> NAMES = List.of("api.anthropic.com", "late.example.test");

    private final CertificateAuthority ca = CertificateAuthority.mint("fake api test CA", Clock.systemUTC());
    private final String token = "sk-ant-oat01-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    private final Path anchors;
    private UpstreamContainer api;

    /**
     * Writes the test CA under a directory.
     *
     * @param dir e.g. the test's bottle home
     * @throws Exception when it cannot be written
     */
    public FakeApiFixture(Path dir) throws Exception {
        anchors = dir.resolve("fake-api-ca.pem");
        Files.writeString(anchors, ca.certificatePem());
    }

    /**
     * Returns a manifest with the built-in bottle {@code claude} and agent {@code claude}.
     *
     * @param supervise ignored: the built-in bottle has supervise
     * @return the manifest
     */
    public static Manifest manifest(boolean supervise) {
        return manifest(supervise, "");
    }

    /**
     * Returns a manifest with the built-in bottle {@code claude} and agent {@code claude} with a prompt.
     *
     * @param supervise ignored: the built-in bottle has supervise
     * @param prompt the agent's prompt (empty for none)
     * @return the manifest
     */
    public static Manifest manifest(boolean supervise, String prompt) {
        return Manifest.builder()
                .bottle(Manifest.claudeBottle())
                .agent(AgentDefinition.builder("claude")
                        .bottle("claude")
                        .prompt(prompt)
                        .build())
                .build();
    }

    /**
     * Returns the settings that make egress trust the fake.
     *
     * @return the settings
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(Egress.EXTRA_CA_SETTING, anchors.toString());
        return s;
    }

    /**
     * Returns the host token (what the fake must see, and the agent must never hold).
     *
     * @return the token
     */
    public String token() {
        return token;
    }

    /**
     * Returns the fingerprint the fake logs for the host token.
     *
     * @return the fingerprint
     */
    public String tokenFingerprint() {
        return FakeAnthropicApi.fingerprint("Bearer " + token);
    }

    /**
     * Starts the fake on a running bottle's outbound network.
     *
     * @param bottle the bottle (docker backend)
     * @return the fake's container
     * @throws Exception when it does not start
     */
    public UpstreamContainer start(RunningBottle bottle) throws Exception {
        return start(
                bottle.identity(), ((DockerBottlePlan) bottle.plan()).networks().egress());
    }

    /**
     * Starts the fake on a bottle's outbound network, by name (for a bottle another process runs).
     *
     * @param identity the bottle's identity (the fake carries it in its labels)
     * @param network the bottle's outbound network
     * @return the fake's container
     * @throws Exception when it does not start
     */
    public UpstreamContainer start(String identity, String network) throws Exception {
        api = UpstreamContainer.start(
                TestImages.engine(),
                TestImages.fakeAnthropic(),
                identity,
                network,
                NAMES,
                certsTar(),
                FakeAnthropicApi.READY);
        return api;
    }

    /**
     * Scripts a text reply.
     *
     * @param when text the request must hold
     * @param text the answer
     * @throws Exception when the fake does not answer
     */
    public void text(String when, String text) throws Exception {
        api.ask("/script?when=" + enc(when) + "&text=" + enc(text), true);
    }

    /**
     * Scripts a reply that does not come: the fake holds the request open.
     *
     * @param when text the request must hold
     * @param stall how long it holds it
     * @throws Exception when the fake does not answer
     */
    public void stall(String when, Duration stall) throws Exception {
        api.ask("/script?when=" + enc(when) + "&stall=" + stall.toMillis(), true);
    }

    /**
     * Scripts a tool call.
     *
     * @param when text the request must hold
     * @param tool the tool's name
     * @param inputJson its input
     * @throws Exception when the fake does not answer
     */
    public void tool(String when, String tool, String inputJson) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + api.control() + "/script?when=" + enc(when) + "&tool=" + enc(tool)))
                .POST(HttpRequest.BodyPublishers.ofString(inputJson))
                .build();
        HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding());
    }

    /**
     * Returns the requests the fake saw, one line each.
     *
     * @return the lines
     * @throws Exception when the fake does not answer
     */
    public List<String> seen() throws Exception {
        String s = api.ask("/seen", false);
        return s.isBlank() ? List.of() : s.lines().toList();
    }

    /**
     * Returns the requests with their bodies.
     *
     * @return the text
     * @throws Exception when the fake does not answer
     */
    public String bodies() throws Exception {
        return api.ask("/bodies", false);
    }

    /**
     * Returns the fake's container, once started.
     *
     * @return the container, or null
     */
    public UpstreamContainer container() {
        return api;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private byte[] certsTar() throws Exception {
        return UpstreamContainer.certsTar(ca, NAMES);
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
            api = null;
        }
    }
}
