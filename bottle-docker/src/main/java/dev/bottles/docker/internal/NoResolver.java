package dev.bottles.docker.internal;

import dev.bottles.state.SecureFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Closes DNS as a way out of the agent container: the agent reaches the bundle by IP and needs no
 * names, so its {@code /etc/resolv.conf} is replaced by one naming no server (lookups fail at once),
 * and the engine's embedded resolver, which a program could still query directly, is given the
 * bundle's address as its only upstream, where nothing answers DNS.
 */
public final class NoResolver {
    /** The file's content. */
    public static final String CONTENT =
            "# bottles: this sandbox has no DNS resolver. The agent reaches its sidecars by\n"
                    + "# IP and the internet only through the egress proxy (HTTPS_PROXY), which resolves names itself.\n"
                    + "options attempts:1 timeout:1\n";

    private NoResolver() {}

    /**
     * Writes the replacement {@code resolv.conf} (0644) into the bottle's state.
     *
     * @param stateDir the bottle's state dir
     * @return the file
     */
    public static Path write(Path stateDir) {
        Path f = stateDir.resolve("agent").resolve("resolv.conf");
        SecureFiles.writePublic(f, CONTENT.getBytes(StandardCharsets.UTF_8));
        return f;
    }
}
