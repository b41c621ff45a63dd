package dev.bottles.claude;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One event of a headless Claude Code run, as its {@code stream-json} output reports it. Types this
 * SDK does not know arrive as {@link Other}, so a newer Claude Code never breaks a caller.
 */
public sealed interface ClaudeEvent {

    /**
     * Returns the session the event belongs to.
     *
     * @return the session id, or empty when the event carries none
     */
    String sessionId();

    /**
     * The session started ({@code system/init}).
     *
     * @param sessionId the session
     * @param model the model
     * @param tools the tools Claude Code offers the model, MCP tools included
     * @param cwd the working directory
     */
    record SessionStarted(String sessionId, String model, List<String> tools, String cwd) implements ClaudeEvent {
        /**
         * Copies.
         *
         * @param sessionId the session
         * @param model the model
         * @param tools the tools
         * @param cwd the directory
         */
        public SessionStarted {
            tools = List.copyOf(tools);
        }
    }

    /**
     * The assistant wrote text.
     *
     * @param sessionId the session
     * @param text the text
     */
    record AssistantText(String sessionId, String text) implements ClaudeEvent {}

    /**
     * The assistant called a tool.
     *
     * @param sessionId the session
     * @param id the call's id
     * @param name the tool, e.g. {@code Bash} or {@code mcp__supervise__egress-allow}
     * @param inputJson the input, as JSON
     */
    record ToolUse(String sessionId, String id, String name, String inputJson) implements ClaudeEvent {}

    /**
     * A tool answered.
     *
     * @param sessionId the session
     * @param toolUseId the call it answers
     * @param content the answer's text
     * @param isError whether the tool failed
     */
    record ToolResult(String sessionId, String toolUseId, String content, boolean isError) implements ClaudeEvent {}

    /**
     * The run ended.
     *
     * @param sessionId the session, for {@link ClaudeTask#resuming}
     * @param isError whether it ended in error
     * @param subtype e.g. {@code success} or {@code error_max_turns}
     * @param text the final answer
     * @param costUsd what Claude Code reckons the run cost
     * @param turns the number of turns
     * @param duration how long it took
     */
    record Result(
            String sessionId,
            boolean isError,
            String subtype,
            String text,
            double costUsd,
            int turns,
            Duration duration)
            implements ClaudeEvent {
        /**
         * Validates.
         *
         * @param sessionId the session
         * @param isError whether in error
         * @param subtype the subtype
         * @param text the answer
         * @param costUsd the cost
         * @param turns the turns
         * @param duration the duration
         */
        public Result {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * An event of a type this SDK does not model, passed through.
     *
     * @param sessionId the session, or empty
     * @param type the event's {@code type} (with its {@code subtype} after a slash, when it has one)
     * @param json the event as Claude Code wrote it
     */
    record Other(String sessionId, String type, String json) implements ClaudeEvent {}
}
