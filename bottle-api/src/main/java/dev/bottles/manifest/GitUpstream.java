package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * A git upstream reached over SSH, parsed from an {@code ssh://} URL.
 *
 * @param user the SSH user, e.g. {@code git}
 * @param host the host
 * @param port the port, 22 unless the URL names one
 * @param path the repository path, starting with {@code /}
 */
public record GitUpstream(String user, String host, int port, String path) {

    /**
     * Validates the parts.
     *
     * @param user the SSH user, e.g. {@code git}
     * @param host the host
     * @param port the port, 22 unless the URL names one
     * @param path the repository path, starting with {@code /}
     */
    public GitUpstream {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        if (host.isBlank() || port < 1 || port > 65_535 || !path.startsWith("/") || path.length() < 2) {
            throw ManifestException.of(
                    "Upstream",
                    "incomplete upstream " + user + "@" + host + ":" + port + path,
                    "write ssh://user@host[:port]/path/repo.git");
        }
    }

    /**
     * Parses an {@code ssh://user@host[:port]/path} URL.
     *
     * @param url the URL
     * @return the upstream
     * @throws ManifestException when the URL is not such a URL
     */
    public static GitUpstream parse(String url) {
        String fix = "write ssh://user@host[:port]/path/repo.git (scp-style user@host:path is not accepted)";
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw ManifestException.of("Upstream", "'" + url + "' is not a URL", fix);
        }
        if (!"ssh".equals(uri.getScheme()) || uri.getHost() == null) {
            throw ManifestException.of("Upstream", "'" + url + "' is not an ssh:// URL", fix);
        }
        String user = uri.getUserInfo() == null ? "git" : uri.getUserInfo();
        int port = uri.getPort() == -1 ? 22 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new GitUpstream(user, uri.getHost(), port, path);
    }

    /**
     * Returns the upstream as an {@code ssh://} URL.
     *
     * @return the URL
     */
    public String url() {
        return "ssh://" + user + "@" + host + (port == 22 ? "" : ":" + port) + path;
    }
}
