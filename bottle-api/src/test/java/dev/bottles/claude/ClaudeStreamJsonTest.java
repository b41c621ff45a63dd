package dev.bottles.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.internal.ClaudeStreamJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claude Code's stream-json, as 2.1.x writes it (lines recorded from ClaudeCodeIT), parsed. */
class ClaudeStreamJsonTest {
    private static final String INIT =
            "{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"/workspace\",\"session_id\":"
                    + "\"28ae\",\"tools\":[\"Bash\",\"mcp__supervise__egress-allow\"],\"mcp_servers\":[{\"name\":\"supervise\","
                    + "\"status\":\"connected\"}],\"model\":\"claude-sonnet-5-5\",\"permissionMode\":\"bypassPermissions\"}";
    private static final String TOOL = "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_1\",\"content\":[{\"type\":"
            + "\"text\",\"text\":\"Running it.\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":"
            + "{\"command\":\"echo hi\"}}]},\"session_id\":\"28ae\"}";
    private static final String RESULT_OF_TOOL = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{"
            + "\"tool_use_id\":\"toolu_1\",\"type\":\"tool_result\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
            + "\"is_error\":false}]},\"session_id\":\"28ae\"}";
    private static final String RESULT = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
            + "\"duration_ms\":713,\"num_turns\":2,\"result\":\"done\",\"session_id\":\"28ae\",\"total_cost_usd\":1.88E-4}";

    @Test
    void eachLineBecomesTypedEventsInOrder() {
        List<ClaudeEvent> events = new ArrayList<>();
        ClaudeStreamJson s = new ClaudeStreamJson(events::add);
        byte[] all = String.join(
                        "\n",
                        INIT,
                        TOOL,
                        "{\"type\":\"rate_limit_event\",\"session_id\":\"28ae\"}",
                        RESULT_OF_TOOL,
                        RESULT)
                .concat("\n")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < all.length; i += 7) { // arriving in pieces that cut lines and characters
            s.write(all, i, Math.min(7, all.length - i));
        }
        s.close();
        assertEquals(
                new ClaudeEvent.SessionStarted(
                        "28ae", "claude-sonnet-5-5", List.of("Bash", "mcp__supervise__egress-allow"), "/workspace"),
                events.get(0));
        assertEquals(new ClaudeEvent.AssistantText("28ae", "Running it."), events.get(1));
        assertEquals(new ClaudeEvent.ToolUse("28ae", "toolu_1", "Bash", "{\"command\":\"echo hi\"}"), events.get(2));
        assertEquals(
                "rate_limit_event",
                assertInstanceOf(ClaudeEvent.Other.class, events.get(3)).type());
        assertEquals(new ClaudeEvent.ToolResult("28ae", "toolu_1", "hi", false), events.get(4));
        assertEquals(
                new ClaudeEvent.Result("28ae", false, "success", "done", 1.88E-4, 2, Duration.ofMillis(713)),
                events.get(5));
        assertEquals(events.get(5), s.result());
    }

    @Test
    void unknownAndBrokenLinesPassThroughRatherThanFail() {
        assertEquals(
                List.of(new ClaudeEvent.Other("", "text", "not json at all")),
                ClaudeStreamJson.parse("not json at all"));
        assertEquals(
                "stream_event/x",
                ((ClaudeEvent.Other) ClaudeStreamJson.parse("{\"type\":\"stream_event\",\"subtype\":\"x\"}")
                                .get(0))
                        .type());
        assertEquals(
                "text", ((ClaudeEvent.Other) ClaudeStreamJson.parse("[1,2]").get(0)).type());
        assertInstanceOf(
                ClaudeEvent.Other.class,
                ClaudeStreamJson.parse("{\"type\":\"system\",\"subtype\":\"hook\"}")
                        .get(0));
        ClaudeEvent.Result odd = (ClaudeEvent.Result)
                ClaudeStreamJson.parse("{\"type\":\"result\"}").get(0);
        assertEquals(0, odd.turns());
        assertEquals("", odd.sessionId());
    }

    @Test
    void anOversizedLineIsCutAndReportedWithoutHoldingItAll() {
        List<ClaudeEvent> events = new ArrayList<>();
        ClaudeStreamJson s = new ClaudeStreamJson(events::add);
        byte[] chunk = new byte[1024 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i < 20; i++) {
            s.write(chunk, 0, chunk.length);
        }
        s.write("\n".concat(RESULT).concat("\n").getBytes(StandardCharsets.UTF_8), 0, RESULT.length() + 2);
        assertEquals("oversized", ((ClaudeEvent.Other) events.get(0)).type());
        assertTrue(((ClaudeEvent.Other) events.get(0)).json().length() <= 1024);
        assertInstanceOf(ClaudeEvent.Result.class, events.get(1));
    }
}
