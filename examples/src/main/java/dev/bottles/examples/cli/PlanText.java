package dev.bottles.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The preflight the original showed: a plan's JSON as aligned {@code key: value} lines. */
final class PlanText {
    private PlanText() {}

    static void print(String planJson, PrintWriter out) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(planJson);
        } catch (JsonProcessingException e) {
            out.println(planJson);
            return;
        }
        int width = 0;
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            width = Math.max(width, f.getKey().length());
        }
        for (Map.Entry<String, JsonNode> f : root.properties()) {
            JsonNode v = f.getValue();
            String key = String.format("  %-" + width + "s  ", f.getKey());
            if (v.isObject()) {
                out.println(key.stripTrailing());
                for (Map.Entry<String, JsonNode> kv : v.properties()) {
                    out.println("      " + kv.getKey() + "=" + kv.getValue().asText());
                }
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.asText()));
                out.println(key + (items.isEmpty() ? "-" : String.join(", ", items)));
            } else {
                out.println(key + (v.isNull() ? "-" : v.asText()));
            }
        }
    }
}
