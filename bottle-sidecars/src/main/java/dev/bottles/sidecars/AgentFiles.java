package dev.bottles.sidecars;

import dev.bottles.BottleException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The files provisioning puts into the agent, in the original's order: the egress CA, the prompt,
 * the skills, the git gate config, the MCP config; then Claude Code's own state ({@link ClaudeCodeSetup}). Paths are relative to the guest's {@code /}, so a
 * backend can write them from {@code /} (a container archive, or {@code sh} run with workdir
 * {@code /}) and nothing can land outside the guest. Both backends provision from this one list and
 * then run {@link #TRUST_SCRIPT} from {@code /}.
 */
public final class AgentFiles {
    /** Where the prompt lands, under the agent's home. */
    public static final String PROMPT = ".claude-bottle/prompt.txt";
    /** Where the MCP config lands, under the agent's home. */
    public static final String MCP_CONFIG = ".claude-bottle/mcp.json";
    /**
     * Installs the copied egress CA into the system trust bundle, run as root from {@code /}: with
     * {@code update-ca-certificates} when the image has it, else by appending to the bundle.
     */
    public static final String TRUST_SCRIPT = "if command -v update-ca-certificates >/dev/null 2>&1; then"
            + " update-ca-certificates >/dev/null 2>&1; else mkdir -p etc/ssl/certs && cat "
            + AgentEnvironment.CA_CERT_PATH.substring(1) + " >> " + AgentEnvironment.CA_BUNDLE_PATH.substring(1)
            + "; fi";

    private AgentFiles() {}

    /**
     * One file for the agent.
     *
     * @param path the path relative to the guest's {@code /}
     * @param content the content
     * @param mode the permission bits, e.g. {@code 0644}
     * @param agentOwned whether it belongs to the agent's user (it lies under the home)
     */
    public record AgentFile(String path, byte[] content, int mode, boolean agentOwned) {
        /**
         * Validates and copies.
         *
         * @param path the relative path
         * @param content the content
         * @param mode the mode
         * @param agentOwned whether the agent owns it
         */
        public AgentFile {
            Objects.requireNonNull(path, "path");
            if (path.startsWith("/") || path.contains("..")) {
                throw new IllegalArgumentException("not a relative guest path: " + path);
            }
            content = content.clone();
        }

        /**
         * Returns a copy of the content.
         *
         * @return the bytes
         */
        @Override
        public byte[] content() {
            return content.clone();
        }
    }

    /**
     * Lists the agent's files.
     *
     * @param plans the bottle's sidecar plans
     * @param endpoints where the agent reaches the bundle (for the git and MCP configs)
     * @param promptFile the prompt on the host
     * @param skills skill name to host directory
     * @param home the agent's home in the guest, e.g. {@code /home/node}
     * @return the files, in provisioning order
     * @throws BottleException when a host file cannot be read
     */
    public static List<AgentFile> of(
            SidecarPlans plans, Endpoints endpoints, Path promptFile, Map<String, Path> skills, String home) {
        String h = home.replaceFirst("^/+", "").replaceFirst("/+$", "");
        List<AgentFile> out = new ArrayList<>();
        out.add(new AgentFile(
                AgentEnvironment.CA_CERT_PATH.substring(1), read(plans.egress().caCertificate()), 0644, false));
        out.add(new AgentFile(h + "/" + PROMPT, read(promptFile), 0600, true));
        skills.forEach((name, dir) -> {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(f -> Files.isRegularFile(f) && !Files.isSymbolicLink(f))
                        .sorted()
                        .toList()) {
                    out.add(new AgentFile(
                            h + "/.claude/skills/" + name + "/"
                                    + dir.relativize(p).toString().replace('\\', '/'),
                            Files.readAllBytes(p),
                            Files.isExecutable(p) ? 0755 : 0644,
                            true));
                }
            } catch (IOException e) {
                throw new BottleException("cannot read skill " + dir + " (" + e + ")", e);
            }
        });
        if (plans.gitGate() != null && endpoints.gitGate() != null) {
            out.add(new AgentFile(
                    h + "/.gitconfig",
                    plans.gitGate()
                            .agentGitConfig(endpoints.gitGate(), plans.access())
                            .getBytes(StandardCharsets.UTF_8),
                    0644,
                    true));
        }
        String superviseUrl = null;
        if (plans.supervise() != null && endpoints.supervise() != null) {
            out.add(new AgentFile(
                    h + "/" + MCP_CONFIG,
                    plans.supervise()
                            .mcpJson(endpoints.supervise(), plans.access())
                            .getBytes(StandardCharsets.UTF_8),
                    0600,
                    true));
            superviseUrl = plans.supervise().url(endpoints.supervise());
        }
        out.add(new AgentFile(
                h + "/" + ClaudeCodeSetup.STATE_FILE,
                ClaudeCodeSetup.stateJson(superviseUrl, plans.access()).getBytes(StandardCharsets.UTF_8),
                0600,
                true));
        out.add(new AgentFile(
                h + "/" + ClaudeCodeSetup.SETTINGS_FILE,
                ClaudeCodeSetup.settingsJson().getBytes(StandardCharsets.UTF_8),
                0644,
                true));
        return out;
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new BottleException("cannot read " + f + " (" + e + ")", e);
        }
    }
}
