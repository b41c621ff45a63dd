package dev.bottles.sidecars;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.sidecars.internal.ConfigFiles;
import dev.bottles.sidecars.internal.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The git gate's configuration, {@code upstreams.json}: the repositories it serves and where each
 * one's upstream and key are. Written by {@link GitGate}, read by the gate daemon with this class.
 *
 * @param repos the served repositories, names unique
 * @param knownHosts the {@code known_hosts} file inside the bundle
 */
public record GitGateConfig(List<Repo> repos, String knownHosts) {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;

    /**
     * Copies the repositories.
     *
     * @param repos the served repositories
     * @param knownHosts the {@code known_hosts} file inside the bundle
     */
    public GitGateConfig {
        repos = List.copyOf(repos);
        Objects.requireNonNull(knownHosts, "knownHosts");
    }

    /**
     * One served repository.
     *
     * @param name the alias the agent fetches ({@code git://<gate>/<name>})
     * @param upstream where the gate fetches from and pushes to
     * @param identityFile the gate's key for it, inside the bundle
     * @param hostKeyPinned whether {@code known_hosts} pins the upstream's host key
     */
    public record Repo(String name, GitUpstream upstream, String identityFile, boolean hostKeyPinned) {
        /**
         * Validates the repository.
         *
         * @param name the alias
         * @param upstream the upstream
         * @param identityFile the key inside the bundle
         * @param hostKeyPinned whether the host key is pinned
         */
        public Repo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(identityFile, "identityFile");
        }
    }

    /**
     * Looks a repository up by alias.
     *
     * @param name the alias, with or without {@code .git}
     * @return the repository, if served
     */
    public Optional<Repo> repo(String name) {
        String n = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
        return repos.stream().filter(r -> r.name().equals(n)).findFirst();
    }

    /**
     * Renders the file.
     *
     * @return the JSON text
     */
    public String render() {
        ObjectNode o = Json.object();
        o.put("version", VERSION);
        o.put("known_hosts", knownHosts);
        ArrayNode rs = o.putArray("repos");
        for (Repo r : repos) {
            ObjectNode n = rs.addObject();
            n.put("name", r.name());
            n.put("upstream", r.upstream().url());
            n.put("user", r.upstream().user());
            n.put("host", r.upstream().host());
            n.put("port", r.upstream().port());
            n.put("path", r.upstream().path());
            n.put("identity_file", r.identityFile());
            n.put("host_key_pinned", r.hostKeyPinned());
        }
        return Json.render(o);
    }

    /**
     * Reads a rendered file.
     *
     * @param file the file
     * @return the configuration
     * @throws BottleException when it is unreadable or malformed
     */
    public static GitGateConfig read(Path file) {
        return parse(ConfigFiles.read(file), file.toString());
    }

    /**
     * Parses the file's text.
     *
     * @param text the JSON
     * @param source where it came from, for messages
     * @return the configuration
     * @throws BottleException when it is malformed
     */
    public static GitGateConfig parse(String text, String source) {
        JsonNode o = Json.readVersioned(text, source, VERSION);
        List<Repo> repos = new ArrayList<>();
        for (JsonNode n : o.path("repos")) {
            repos.add(new Repo(
                    n.path("name").asText(),
                    GitUpstream.parse(n.path("upstream").asText()),
                    n.path("identity_file").asText(),
                    n.path("host_key_pinned").asBoolean()));
        }
        return new GitGateConfig(repos, o.path("known_hosts").asText());
    }
}
