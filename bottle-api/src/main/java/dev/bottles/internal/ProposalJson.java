package dev.bottles.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.Decision;
import dev.bottles.ManifestException;
import dev.bottles.Proposal;
import dev.bottles.manifest.EgressRoute;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The JSON of the supervise queue's files, behind {@link dev.bottles.state.ProposalQueue}. */
public final class ProposalJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProposalJson() {}

    /**
     * Renders a proposal file.
     *
     * @param version the format version
     * @param p the proposal
     * @return the text
     */
    public static String proposal(int version, Proposal p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", version);
        o.put("id", p.id());
        o.put("bottle", p.bottle());
        o.put("tool", p.kind().tool());
        putRoute(o, p.route());
        o.put("dockerfile", p.dockerfile());
        o.put("justification", p.justification());
        o.put("created_at", p.createdAt().toString());
        return o.toPrettyString() + "\n";
    }

    /**
     * Reads a proposal file's text, checking its version.
     *
     * @param text the text
     * @param version the version this build reads
     * @param source where it came from
     * @return the parts: kind, route, Dockerfile, bottle, justification, created
     * @throws BottleException when malformed
     */
    public static Parsed readProposal(String text, int version, String source) {
        try {
            JsonNode o = JSON.readTree(text);
            if (o.path("version").asInt() != version) {
                throw new BottleException(source + ": unsupported version " + o.path("version"));
            }
            return new Parsed(
                    Proposal.Kind.ofTool(o.path("tool").asText()),
                    route(o, source),
                    o.hasNonNull("dockerfile") ? o.get("dockerfile").asText() : null,
                    o.path("bottle").asText(),
                    o.path("justification").asText(""),
                    Instant.parse(o.path("created_at").asText()));
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            throw new BottleException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A proposal file's parts, before its id is checked.
     *
     * @param kind the kind
     * @param route the route, or null
     * @param dockerfile the Dockerfile, or null
     * @param bottle the bottle
     * @param justification why
     * @param createdAt when
     */
    public record Parsed(
            Proposal.Kind kind,
            @Nullable EgressRoute route,
            @Nullable String dockerfile,
            String bottle,
            String justification,
            Instant createdAt) {}

    /**
     * Renders an answer file.
     *
     * @param version the format version
     * @param id the proposal's id
     * @param d the decision
     * @return the text
     */
    public static String answer(int version, String id, Decision d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", version);
        o.put("id", id);
        o.put("verdict", d.verdict().name().toLowerCase(Locale.ROOT));
        o.put("reason", d.reason());
        putRoute(o, d.route());
        o.put("dockerfile", d.dockerfile());
        o.put("decided_at", Instant.now().toString());
        return o.toPrettyString() + "\n";
    }

    /**
     * Reads an answer file's text.
     *
     * @param text the text
     * @param source where it came from
     * @return the decision
     * @throws BottleException when malformed
     */
    public static Decision readAnswer(String text, String source) {
        try {
            JsonNode o = JSON.readTree(text);
            Decision.Verdict v =
                    Decision.Verdict.valueOf(o.path("verdict").asText().toUpperCase(Locale.ROOT));
            return new Decision(
                    v,
                    o.path("reason").asText(""),
                    route(o, source),
                    o.hasNonNull("dockerfile") ? o.get("dockerfile").asText() : null);
        } catch (IOException | IllegalArgumentException e) {
            throw new BottleException(source + ": unreadable answer (" + e.getMessage() + ")", e);
        }
    }

    private static @Nullable EgressRoute route(JsonNode o, String source) {
        JsonNode r = o.get("route");
        if (r == null || r.isNull()) {
            return null;
        }
        List<String> paths = new ArrayList<>();
        r.path("path_allowlist").forEach(p -> paths.add(p.asText()));
        try {
            return new EgressRoute(r.path("host").asText(), paths, null, null);
        } catch (ManifestException e) {
            throw new BottleException(source + ": route: " + e.getMessage(), e);
        }
    }

    private static void putRoute(ObjectNode o, @Nullable EgressRoute route) {
        if (route == null) {
            o.putNull("route");
            return;
        }
        ObjectNode r = o.putObject("route");
        r.put("host", route.host());
        ArrayNode paths = r.putArray("path_allowlist");
        route.pathAllowlist().forEach(paths::add);
    }
}
