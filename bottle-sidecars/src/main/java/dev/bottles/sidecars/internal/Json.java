package dev.bottles.sidecars.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;

/** The one Jackson mapper the sidecar configs are written and read with. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
                    Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    private Json() {}

    /**
     * Returns a new empty object.
     *
     * @return the object
     */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Renders a tree with two-space indentation and a final newline.
     *
     * @param node the tree
     * @return the JSON text
     */
    public static String render(JsonNode node) {
        try {
            return MAPPER.writer(PRETTY).writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /**
     * Parses JSON.
     *
     * @param text the JSON
     * @param source where it came from, for messages
     * @return the tree
     * @throws BottleException when the text is not JSON
     */
    public static JsonNode read(String text, String source) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BottleException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses a versioned config file and checks its {@code version} field.
     *
     * @param text the JSON
     * @param source where it came from, for messages
     * @param version the only version this build reads
     * @return the tree
     * @throws BottleException when the text is not JSON or has another version
     */
    public static JsonNode readVersioned(String text, String source, int version) {
        JsonNode o = read(text, source);
        if (o.path("version").asInt() != version) {
            throw new BottleException(
                    source + ": unsupported version " + o.path("version") + " (this build reads " + version + ")");
        }
        return o;
    }
}
