package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One git upstream a bottle may reach through git-gate.
 *
 * @param name the alias the gate serves it under; unique within a bottle
 * @param upstream where the gate fetches from and pushes to
 * @param identityFile the SSH key the <em>gate</em> uses; the agent never holds it
 * @param knownHostKey the pinned host key line, e.g. {@code ssh-ed25519 AAAA...}, or null
 */
public record GitRemote(
        String name,
        GitUpstream upstream,
        Path identityFile,
        @Nullable String knownHostKey) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /**
     * Validates the remote.
     *
     * @param name the alias the gate serves it under; unique within a bottle
     * @param upstream where the gate fetches from and pushes to
     * @param identityFile the SSH key the <em>gate</em> uses; the agent never holds it
     * @param knownHostKey the pinned host key line, e.g. {@code ssh-ed25519 AAAA...}, or null
     */
    public GitRemote {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(identityFile, "identityFile");
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw ManifestException.of(
                    "Name",
                    "'" + name + "' is not a safe repository alias",
                    "use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        if (!identityFile.isAbsolute()) {
            throw ManifestException.of(
                    "IdentityFile",
                    "'" + identityFile + "' is not an absolute path",
                    "write an absolute path or one starting with ~/");
        }
        if (knownHostKey != null && (knownHostKey.isBlank() || knownHostKey.indexOf('\n') >= 0)) {
            throw ManifestException.of(
                    "KnownHostKey",
                    "the host key must be one non-empty line",
                    "paste one line such as 'ssh-ed25519 AAAA...', or remove KnownHostKey");
        }
    }
}
