package dev.bottles.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.claude.ClaudeEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns Claude Code's {@code stream-json} output into {@link ClaudeEvent}s as its lines arrive: an
 * output stream that splits lines, parses each, and hands the events on. A line that is not JSON
 * is passed on as {@link ClaudeEvent.Other} of type {@code text}.
 */
public final class ClaudeStreamJson extends OutputStream {
    /** The longest line kept (a line past it is cut, and reported as {@code oversized}). */
    public static final int MAX_LINE = 16 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<ClaudeEvent> listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean oversized;
    private ClaudeEvent.@Nullable Result result;

    /**
     * Creates the stream.
     *
     * @param listener receives each event
     */
    public ClaudeStreamJson(Consumer<ClaudeEvent> listener) {
        this.listener = listener;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                append(b, start, i - start);
                emit();
                start = i + 1;
            }
        }
        append(b, start, off + len - start);
    }

    private void append(byte[] b, int off, int len) {
        int room = MAX_LINE - line.size();
        if (len > room) {
            oversized = true;
            len = Math.max(0, room);
        }
        line.write(b, off, len);
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emit();
        }
    }

    /**
     * Returns the final result, once seen.
     *
     * @return the result, or null
     */
    public synchronized ClaudeEvent.@Nullable Result result() {
        return result;
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        boolean cut = oversized;
        line.reset();
        oversized = false;
        if (text.isEmpty()) {
            return;
        }
        if (cut) {
            listener.accept(new ClaudeEvent.Other("", "oversized", text.substring(0, Math.min(text.length(), 1024))));
            return;
        }
        for (ClaudeEvent e : parse(text)) {
            if (e instanceof ClaudeEvent.Result r) {
                result = r;
            }
            listener.accept(e);
        }
    }

    /**
     * Parses one line of {@code stream-json}.
     *
     * @param text the line
     * @return its events (an assistant message gives one per content block)
     */
    public static List<ClaudeEvent> parse(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return List.of(new ClaudeEvent.Other("", "text", text));
        }
        if (n == null || !n.isObject()) {
            return List.of(new ClaudeEvent.Other("", "text", text));
        }
        String type = n.path("type").asText("");
        String subtype = n.path("subtype").asText("");
        String session = n.path("session_id").asText("");
        List<ClaudeEvent> out = new ArrayList<>();
        switch (type) {
            case "system" -> {
                if (subtype.equals("init")) {
                    List<String> tools = new ArrayList<>();
                    n.path("tools").forEach(t -> tools.add(t.asText()));
                    out.add(new ClaudeEvent.SessionStarted(
                            session,
                            n.path("model").asText(""),
                            tools,
                            n.path("cwd").asText("")));
                }
            }
            case "assistant" ->
                n.path("message").path("content").forEach(c -> {
                    switch (c.path("type").asText("")) {
                        case "text" ->
                            out.add(new ClaudeEvent.AssistantText(
                                    session, c.path("text").asText("")));
                        case "tool_use" ->
                            out.add(new ClaudeEvent.ToolUse(
                                    session,
                                    c.path("id").asText(""),
                                    c.path("name").asText(""),
                                    c.path("input").toString()));
                        default -> {}
                    }
                });
            case "user" ->
                n.path("message").path("content").forEach(c -> {
                    if (c.path("type").asText("").equals("tool_result")) {
                        out.add(new ClaudeEvent.ToolResult(
                                session,
                                c.path("tool_use_id").asText(""),
                                content(c.path("content")),
                                c.path("is_error").asBoolean(false)));
                    }
                });
            case "result" ->
                out.add(new ClaudeEvent.Result(
                        session,
                        n.path("is_error").asBoolean(false),
                        subtype,
                        n.path("result").asText(""),
                        n.path("total_cost_usd").asDouble(0),
                        n.path("num_turns").asInt(0),
                        Duration.ofMillis(n.path("duration_ms").asLong(0))));
            default -> {}
        }
        if (out.isEmpty()) {
            out.add(new ClaudeEvent.Other(session, subtype.isEmpty() ? type : type + "/" + subtype, text));
        }
        return out;
    }

    private static String content(JsonNode c) {
        if (c.isTextual()) {
            return c.asText();
        }
        StringBuilder sb = new StringBuilder();
        c.forEach(part -> {
            if (part.path("type").asText("").equals("text")) {
                sb.append(part.path("text").asText(""));
            }
        });
        return sb.toString();
    }
}
