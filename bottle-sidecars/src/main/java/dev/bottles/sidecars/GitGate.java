package dev.bottles.sidecars;

import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Prepares the git gate: the repositories it may serve, its own copies of the SSH keys (the agent
 * never holds them), and the pinned upstream host keys.
 */
public final class GitGate {
    /** Where the bundle mounts the {@code git-gate/} state subdirectory. */
    public static final String DIR_IN_CONTAINER = "/etc/git-gate";
    /** The configuration inside the bundle. */
    public static final String CONFIG_IN_CONTAINER = DIR_IN_CONTAINER + "/upstreams.json";
    /** The pinned host keys inside the bundle. */
    public static final String KNOWN_HOSTS_IN_CONTAINER = DIR_IN_CONTAINER + "/known_hosts";
    /** The gate's keys inside the bundle, one file per repository alias. */
    public static final String KEYS_IN_CONTAINER = DIR_IN_CONTAINER + "/keys";

    private static final Pattern KEY_TYPE = Pattern.compile("(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)"
            + "|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/=]+( .*)?");

    /**
     * Writes {@code upstreams.json} (0600), {@code known_hosts} (0600) and {@code keys/<name>} (0600).
     *
     * @param bottle the bottle
     * @param identity the bottle's identity
     * @param dir the {@code git-gate/} state subdirectory (exists, 0700)
     * @return the plan
     * @throws ManifestException when an identity file cannot be read or a host key is malformed
     */
    public GitGatePlan prepare(BottleDefinition bottle, String identity, Path dir) {
        Path keys = SecureFiles.createPrivateDirectories(dir.resolve("keys"));
        List<GitGateConfig.Repo> repos = new ArrayList<>();
        StringBuilder knownHosts = new StringBuilder("# Upstream host keys pinned for bottle " + identity + "\n");
        List<ManifestException> problems = new ArrayList<>();
        for (int i = 0; i < bottle.git().size(); i++) {
            GitRemote g = bottle.git().get(i);
            try {
                SecureFiles.writePrivate(keys.resolve(g.name()), Files.readAllBytes(g.identityFile()));
            } catch (IOException e) {
                problems.add(ManifestException.of(
                        "git[" + i + "].IdentityFile",
                        "cannot read the gate's key " + g.identityFile() + " ("
                                + e.getClass().getSimpleName() + ")",
                        "make it readable"));
                continue;
            }
            String knownHostKey = g.knownHostKey();
            boolean pinned = knownHostKey != null;
            if (knownHostKey != null) {
                String key = knownHostKey.strip();
                if (!KEY_TYPE.matcher(key).matches()) {
                    problems.add(ManifestException.of(
                            "git[" + i + "].KnownHostKey",
                            "'" + abbreviate(key) + "' is not an SSH public key line",
                            "paste the host's key as 'ssh-ed25519 AAAA...' (from ssh-keyscan)"));
                    continue;
                }
                knownHosts
                        .append(hostPattern(g.upstream()))
                        .append(' ')
                        .append(key)
                        .append('\n');
            }
            repos.add(new GitGateConfig.Repo(g.name(), g.upstream(), KEYS_IN_CONTAINER + "/" + g.name(), pinned));
        }
        if (!problems.isEmpty()) {
            throw bottle.origin().locate(ManifestException.combine(problems));
        }
        GitGateConfig config = new GitGateConfig(repos, KNOWN_HOSTS_IN_CONTAINER);
        Path configFile = dir.resolve("upstreams.json");
        SecureFiles.writePrivate(configFile, config.render().getBytes(StandardCharsets.UTF_8));
        Path known = dir.resolve("known_hosts");
        SecureFiles.writePrivate(known, knownHosts.toString().getBytes(StandardCharsets.UTF_8));
        return new GitGatePlan(configFile, known, keys, config);
    }

    /**
     * Returns the {@code known_hosts} host pattern for an upstream: {@code host} on port 22,
     * {@code [host]:port} otherwise.
     *
     * @param u the upstream
     * @return the pattern
     */
    static String hostPattern(GitUpstream u) {
        return u.port() == 22 ? u.host() : "[" + u.host() + "]:" + u.port();
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 24) + "…";
    }
}
