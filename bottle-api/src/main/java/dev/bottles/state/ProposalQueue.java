package dev.bottles.state;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A bottle's supervise queue, {@code queue/<identity>/}: the agent's proposals
 * ({@code <id>.proposal.json}, written by supervise in the bundle) and the operator's answers
 * ({@code <id>.response.json}, written on the host). Both sides use this class, so the format has
 * one definition. Everything read from a proposal is the agent's and is validated; files are
 * written atomically.
 *
 * @param dir the queue directory
 */
public record ProposalQueue(Path dir) {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The largest Dockerfile a proposal may carry. */
    public static final int MAX_DOCKERFILE = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Returns the content hash a proposal is known by: the same request gets the same id.
     *
     * @param kind what is asked for
     * @param route the route, or null
     * @param dockerfile the Dockerfile, or null
     * @return 16 hex digits
     */
    public static String idOf(Proposal.Kind kind, @Nullable EgressRoute route, @Nullable String dockerfile) {
        StringBuilder sb = new StringBuilder(kind.tool()).append('\n');
        if (route != null) {
            sb.append(route.host()).append('\n').append(String.join("\n", route.pathAllowlist())).append('\n');
        }
        if (dockerfile != null) {
            sb.append(dockerfile);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a proposal unless it is already queued.
     *
     * @param p the proposal
     * @return true when it was written now
     */
    public boolean propose(Proposal p) {
        Path f = dir.resolve(p.id() + ".proposal.json");
        if (Files.exists(f)) {
            return false;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("id", p.id());
        o.put("bottle", p.bottle());
        o.put("tool", p.kind().tool());
        putRoute(o, p.route());
        o.put("dockerfile", p.dockerfile());
        o.put("justification", p.justification());
        o.put("created_at", p.createdAt().toString());
        // the agent's own request, not a secret; readable by the host user whatever uid wrote it
        SecureFiles.writePublic(f, (o.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /**
     * Returns the proposals without an answer, oldest first.
     *
     * @return the proposals; a malformed file is answered with a rejection and left out
     */
    public List<Proposal> pending() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Proposal> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(x -> x.getFileName().toString().endsWith(".proposal.json")).toList()) {
                String id = f.getFileName().toString().replace(".proposal.json", "");
                if (Files.exists(dir.resolve(id + ".response.json"))) {
                    continue;
                }
                try {
                    out.add(read(f, id));
                } catch (BottleException e) {
                    answer(id, Decision.reject("malformed proposal: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new BottleException("cannot list the supervise queue " + dir + " (" + e + ")", e);
        }
        out.sort(Comparator.comparing(Proposal::createdAt).thenComparing(Proposal::id));
        return out;
    }

    /**
     * Writes the answer to a proposal.
     *
     * @param id the proposal's id
     * @param d the decision
     */
    public void answer(String id, Decision d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("id", id);
        o.put("verdict", d.verdict().name().toLowerCase(Locale.ROOT));
        o.put("reason", d.reason());
        putRoute(o, d.route());
        o.put("dockerfile", d.dockerfile());
        o.put("decided_at", Instant.now().toString());
        SecureFiles.writePrivate(dir.resolve(id + ".response.json"), o.toPrettyString() + "\n");
    }

    /**
     * Returns the answer to a proposal, if there is one.
     *
     * @param id the proposal's id
     * @return the decision
     */
    public Optional<Decision> answer(String id) {
        Path f = dir.resolve(id + ".response.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            Decision.Verdict v = Decision.Verdict.valueOf(o.path("verdict").asText().toUpperCase(Locale.ROOT));
            return Optional.of(new Decision(v, o.path("reason").asText(""), route(o, f.toString()),
                    o.hasNonNull("dockerfile") ? o.get("dockerfile").asText() : null));
        } catch (IOException | IllegalArgumentException e) {
            throw new BottleException(f + ": unreadable answer (" + e.getMessage() + ")", e);
        }
    }

    private static Proposal read(Path f, String id) {
        try {
            if (Files.size(f) > MAX_DOCKERFILE + 16 * 1024) {
                throw new BottleException("larger than " + (MAX_DOCKERFILE / 1024) + " KiB");
            }
            JsonNode o = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            if (o.path("version").asInt() != VERSION) {
                throw new BottleException("unsupported version " + o.path("version"));
            }
            Proposal.Kind kind = Proposal.Kind.ofTool(o.path("tool").asText());
            EgressRoute route = route(o, f.toString());
            String dockerfile = o.hasNonNull("dockerfile") ? o.get("dockerfile").asText() : null;
            if (!id.equals(idOf(kind, route, dockerfile))) {
                throw new BottleException("its content does not match its id " + id);
            }
            return new Proposal(id, o.path("bottle").asText(), kind, route, dockerfile,
                    o.path("justification").asText(""), Instant.parse(o.path("created_at").asText()));
        } catch (IOException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new BottleException(f + ": " + e.getMessage(), e);
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
