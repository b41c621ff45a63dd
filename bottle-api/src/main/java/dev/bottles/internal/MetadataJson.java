package dev.bottles.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.state.BottleMetadata;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads and writes {@code metadata.json} in the original's format: snake_case keys, and
 * {@code started_at} as Python's {@code isoformat()} writes it ({@code +00:00}, microseconds), which
 * older Pythons can parse where they cannot parse {@code Z}.
 */
public final class MetadataJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter PYTHON_ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private MetadataJson() {}

    /**
     * Renders metadata as JSON.
     *
     * @param m the metadata
     * @return the JSON text
     */
    public static String write(BottleMetadata m) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("identity", m.identity());
        o.put("agent_name", m.agentName());
        o.put("cwd", m.cwd());
        o.put("copy_cwd", m.copyCwd());
        o.put("started_at", PYTHON_ISO.format(m.startedAt().atOffset(ZoneOffset.UTC)));
        o.put("compose_project", m.composeProject());
        o.put("backend", m.backend());
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render metadata", e);
        }
    }

    /**
     * Parses {@code metadata.json}; unknown keys (later versions of the original add some) are
     * ignored, and a missing {@code backend} means {@code docker}, the only backend before it
     * was recorded.
     *
     * @param json the JSON text
     * @param source where it came from, for messages
     * @return the metadata
     * @throws BottleException when required keys are missing or malformed
     */
    public static BottleMetadata read(String json, String source) {
        try {
            JsonNode o = MAPPER.readTree(json);
            if (o == null || !o.isObject()) {
                throw new BottleException(source + " is not a JSON object; delete the bottle's state dir");
            }
            return new BottleMetadata(
                    required(o, "identity", source),
                    required(o, "agent_name", source),
                    o.path("cwd").asText(""),
                    o.path("copy_cwd").asBoolean(false),
                    instant(required(o, "started_at", source), source),
                    o.path("compose_project").asText(""),
                    o.path("backend").asText("docker"));
        } catch (JsonProcessingException e) {
            throw new BottleException(
                    source + " is not valid JSON (" + e.getOriginalMessage() + "); delete the bottle's state dir", e);
        }
    }

    private static String required(JsonNode o, String key, String source) {
        JsonNode n = o.get(key);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new BottleException(source + " lacks '" + key + "'; delete the bottle's state dir");
        }
        return n.asText();
    }

    private static Instant instant(String text, String source) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new BottleException(source + " has a malformed started_at '" + text + "'", e2);
            }
        }
    }
}
