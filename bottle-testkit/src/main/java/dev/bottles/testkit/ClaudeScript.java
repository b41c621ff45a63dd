package dev.bottles.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Claude Code's {@code --output-format stream-json} output, scripted, for {@link FakeBackend}: a
 * session's start, then what the assistant and its tools do, then the result. Reply with it to
 * test code that drives Claude Code ({@code dev.bottles.claude.ClaudeCode}) without an engine:
 *
 * <pre>{@code
 * fake.onExec("claude").reply(0, ClaudeScript.session("s-1").text("Looking.")
 *         .toolUse("t-1", "Bash", "{\"command\":\"ls\"}").toolResult("t-1", "README.md", false)
 *         .result("Done."), "");
 * }</pre>
 */
public final class ClaudeScript {
    private final String session;
    private final String model;
    private final List<String> lines = new ArrayList<>();
    private int turns = 1;

    private ClaudeScript(String session, String model) {
        this.session = Objects.requireNonNull(session, "session");
        this.model = model;
        lines.add("{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"/workspace\",\"session_id\":" + q(session)
                + ",\"tools\":[\"Bash\",\"Edit\",\"Read\",\"Write\",\"mcp__supervise__egress-allow\"],\"model\":"
                + q(model)
                + ",\"permissionMode\":\"bypassPermissions\"}");
    }

    /**
     * Starts a script for a session.
     *
     * @param sessionId the session's id
     * @return the script
     */
    public static ClaudeScript session(String sessionId) {
        return new ClaudeScript(sessionId, "claude-fake");
    }

    /**
     * Adds assistant text.
     *
     * @param text the text
     * @return this script
     */
    public ClaudeScript text(String text) {
        lines.add(
                "{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
                        + q(text) + "}]},\"session_id\":" + q(session) + "}");
        return this;
    }

    /**
     * Adds a tool call.
     *
     * @param id the call's id
     * @param name the tool
     * @param inputJson its input, a JSON object
     * @return this script
     */
    public ClaudeScript toolUse(String id, String name, String inputJson) {
        lines.add(
                "{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":"
                        + q(id) + ",\"name\":" + q(name) + ",\"input\":" + inputJson + "}]},\"session_id\":"
                        + q(session) + "}");
        turns++;
        return this;
    }

    /**
     * Adds a tool's answer.
     *
     * @param toolUseId the call it answers
     * @param content the answer
     * @param isError whether the tool failed
     * @return this script
     */
    public ClaudeScript toolResult(String toolUseId, String content, boolean isError) {
        lines.add("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":" + q(toolUseId) + ",\"content\":" + q(content) + ",\"is_error\":" + isError
                + "}]},\"session_id\":" + q(session) + "}");
        return this;
    }

    /**
     * Adds a raw event line, e.g. of a type the SDK does not model.
     *
     * @param json one JSON object
     * @return this script
     */
    public ClaudeScript event(String json) {
        lines.add(json);
        return this;
    }

    /**
     * Ends the script with a successful result and returns the whole output.
     *
     * @param text the final answer
     * @return the output, one JSON object per line
     */
    public String result(String text) {
        return end(false, "success", text);
    }

    /**
     * Ends the script with a failed result and returns the whole output.
     *
     * @param subtype e.g. {@code error_max_turns}
     * @return the output
     */
    public String error(String subtype) {
        return end(true, subtype, "");
    }

    private String end(boolean isError, String subtype, String text) {
        List<String> all = new ArrayList<>(lines);
        all.add("{\"type\":\"result\",\"subtype\":" + q(subtype) + ",\"is_error\":" + isError
                + ",\"duration_ms\":1234,\"num_turns\":" + turns + ",\"result\":" + q(text) + ",\"session_id\":"
                + q(session) + ",\"total_cost_usd\":0.0125}");
        return String.join("\n", all) + "\n";
    }

    private static String q(String s) {
        return FakeAnthropicApi.quote(s);
    }
}
