package dev.bottles.docker;

import dev.bottles.sidecars.AgentFiles;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command the original runs in a bottle: {@code claude --dangerously-skip-permissions},
 * plus {@code --append-system-prompt-file} only when the agent has a prompt. Supervise needs no flag:
 * provisioning registers it at user scope ({@code dev.bottles.sidecars.ClaudeCodeSetup}).
 */
public final class ClaudeCommand {
    private ClaudeCommand() {}

    /**
     * Returns the agent command for a plan.
     *
     * @param plan the plan
     * @param extra arguments to append, e.g. {@code -p "task"} or {@code --continue}
     * @return the argv
     */
    public static List<String> argv(DockerBottlePlan plan, String... extra) {
        List<String> argv = new ArrayList<>(List.of("claude", "--dangerously-skip-permissions"));
        String home = plan.agent().home().replaceFirst("/+$", "");
        if (plan.agent().promptNonEmpty()) {
            argv.add("--append-system-prompt-file");
            argv.add(home + "/" + AgentFiles.PROMPT);
        }
        argv.addAll(List.of(extra));
        return argv;
    }
}
