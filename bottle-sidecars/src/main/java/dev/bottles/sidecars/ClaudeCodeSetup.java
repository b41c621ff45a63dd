package dev.bottles.sidecars;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.sidecars.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The state Claude Code reads at start, written by provisioning so its first screen is the prompt:
 * onboarding done, the working folder trusted, the bypass-permissions warning accepted (the bottle
 * is the permission boundary, which is why it runs with {@code --dangerously-skip-permissions}),
 * telemetry, error reporting and auto-update off, and the supervise MCP server registered at user
 * scope, where {@code claude mcp list} finds it. Each file's content lives here and nowhere else;
 * {@code ClaudeCodeIT} checks it against the Claude Code version the SDK's image pins.
 */
public final class ClaudeCodeSetup {
    /** Claude Code's user-scope state file, under the agent's home. */
    public static final String STATE_FILE = ".claude.json";
    /** Claude Code's user settings, under the agent's home. */
    public static final String SETTINGS_FILE = ".claude/settings.json";
    /** Where Claude Code keeps session transcripts, under the agent's home. */
    public static final String PROJECTS_DIR = ".claude/projects";
    /** The folder Claude Code starts in, and the one its state marks trusted. */
    public static final String WORKSPACE = "/workspace";
    /** The name supervise is registered under. */
    public static final String MCP_SERVER = "supervise";
    /** The variables that keep Claude Code from calling home for anything but the model. */
    public static final Map<String, String> QUIET_ENV = quietEnv();

    private ClaudeCodeSetup() {}

    private static Map<String, String> quietEnv() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        m.put("DISABLE_TELEMETRY", "1");
        m.put("DISABLE_ERROR_REPORTING", "1");
        m.put("DISABLE_AUTOUPDATER", "1");
        m.put("DISABLE_BUG_COMMAND", "1");
        return Collections.unmodifiableMap(m);
    }

    /**
     * Returns {@code ~/.claude.json}: onboarding done, the workspace trusted, the bypass warning
     * accepted, and supervise (when the bottle has it) at user scope with its bearer credential. It
     * holds that credential, so it is written {@code 0600}.
     *
     * @param superviseUrl supervise's URL as the agent reaches it, or null without supervise
     * @param access the bottle's bundle credential
     * @return the file's text
     */
    public static String stateJson(@Nullable String superviseUrl, BundleAccess access) {
        ObjectNode root = Json.object();
        root.put("hasCompletedOnboarding", true);
        root.put("lastOnboardingVersion", "2.1.0");
        root.put("theme", "dark");
        root.put("bypassPermissionsModeAccepted", true);
        root.put("autoUpdates", false);
        root.put("autoUpdaterStatus", "disabled");
        root.put("hasSeenTasksHint", true);
        root.put("shiftEnterKeyBindingInstalled", true);
        ObjectNode project = root.putObject("projects").putObject(WORKSPACE);
        project.put("hasTrustDialogAccepted", true);
        project.put("hasCompletedProjectOnboarding", true);
        project.put("projectOnboardingSeenCount", 1);
        project.putArray("allowedTools");
        ObjectNode servers = root.putObject("mcpServers");
        if (superviseUrl != null) {
            ObjectNode s = servers.putObject(MCP_SERVER);
            s.put("type", "http");
            s.put("url", superviseUrl);
            s.putObject("headers").put("Authorization", "Bearer " + access.token());
        }
        return Json.render(root);
    }

    /**
     * Returns {@code ~/.claude/settings.json}: the bypass warning and the auto-mode offer skipped, and
     * the quiet variables
     * ({@link #QUIET_ENV}) set for every session, including those started outside the SDK's exec.
     *
     * @return the file's text
     */
    public static String settingsJson() {
        ObjectNode root = Json.object();
        root.put("skipDangerousModePermissionPrompt", true);
        root.put("skipAutoPermissionPrompt", true);
        ObjectNode env = root.putObject("env");
        QUIET_ENV.forEach(env::put);
        return Json.render(root);
    }
}
