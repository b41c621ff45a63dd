package dev.bottles.manifest;

import dev.bottles.ManifestException;
import dev.bottles.internal.Suggestions;
import dev.bottles.internal.yaml.FrontmatterDocument;
import dev.bottles.internal.yaml.YamlNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Loads bottles and agents from the original's per-file layout.
 *
 * <ul>
 *   <li>{@code <home>/bottles/<name>.md}: bottles, under the bottle home only. A repository cannot
 *       define bottles: {@code <cwd>/.claude-bottle/bottles/} is ignored with a warning, so a
 *       repository cannot send a host token to an upstream of its choosing.
 *   <li>{@code <home>/agents/<name>.md} and {@code <cwd>/.claude-bottle/agents/<name>.md}: agents;
 *       a repository's agent shadows a home agent of the same name, with a warning (Claude Code's
 *       own precedence for project subagents).
 * </ul>
 *
 * <p>File names must match {@code [a-z][a-z0-9-]*.md}; others are skipped with a warning. Every
 * load error is a {@link ManifestException} naming the file, line, field and fix.
 */
public final class ManifestLoader {
    private static final System.Logger LOG = System.getLogger(ManifestLoader.class.getName());
    private static final Pattern FILE_NAME = Pattern.compile("[a-z][a-z0-9-]*\\.md");
    private static final List<String> BOTTLE_KEYS = List.of("env", "git", "egress", "supervise");
    private static final List<String> AGENT_KEYS =
            List.of("bottle", "skills", "name", "description", "model", "color", "memory");
    private static final List<String> GIT_KEYS = List.of("Name", "Upstream", "IdentityFile", "KnownHostKey");
    private static final List<String> EGRESS_KEYS = List.of("routes");
    private static final List<String> ROUTE_KEYS = List.of("host", "path_allowlist", "auth", "role", "tls", "carries");
    private static final List<String> AUTH_KEYS = List.of("scheme", "token_ref");

    private final Path home;
    private final Path cwd;
    private final Path userHome;

    private ManifestLoader(Path home, Path cwd, Path userHome) {
        this.home = home.toAbsolutePath().normalize();
        this.cwd = cwd.toAbsolutePath().normalize();
        this.userHome = userHome.toAbsolutePath().normalize();
    }

    /**
     * Loads every bottle and agent visible from {@code cwd}, expanding {@code ~} against the
     * {@code user.home} system property.
     *
     * @param home the bottle home ({@code $BOTTLE_HOME}, default {@code ~/.claude-bottle})
     * @param cwd the directory the agent works on, whose {@code .claude-bottle/agents/} is read
     * @return the manifest
     * @throws ManifestException when a definition is invalid
     */
    public static Manifest load(Path home, Path cwd) {
        return load(home, cwd, Path.of(System.getProperty("user.home")));
    }

    /**
     * Loads every bottle and agent visible from {@code cwd}.
     *
     * @param home the bottle home
     * @param cwd the directory the agent works on
     * @param userHome the directory {@code ~} stands for in paths such as {@code IdentityFile}
     * @return the manifest
     * @throws ManifestException when a definition is invalid
     */
    public static Manifest load(Path home, Path cwd, Path userHome) {
        return new ManifestLoader(home, cwd, userHome).loadAll();
    }

    /**
     * Reads one bottle file; its name is the file name without {@code .md}.
     *
     * @param file the file
     * @param userHome the directory {@code ~} stands for
     * @return the bottle
     * @throws ManifestException when the definition is invalid
     */
    public static BottleDefinition readBottle(Path file, Path userHome) {
        return new ManifestLoader(file.getParent() == null ? Path.of(".") : file.getParent(), Path.of("."), userHome)
                .bottle(FrontmatterDocument.read(file), stem(file));
    }

    /**
     * Reads one agent file; its name is the file name without {@code .md}.
     *
     * @param file the file
     * @return the agent
     * @throws ManifestException when the definition is invalid
     */
    public static AgentDefinition readAgent(Path file) {
        return agent(FrontmatterDocument.read(file), stem(file));
    }

    private Manifest loadAll() {
        List<String> warnings = new ArrayList<>();
        List<ManifestException> problems = new ArrayList<>();
        checkStaleJson(cwd);
        if (home.getParent() != null) {
            checkStaleJson(home.getParent());
        }
        Path repoBottles = cwd.resolve(".claude-bottle").resolve("bottles");
        if (Files.isDirectory(repoBottles) && !same(repoBottles, home.resolve("bottles"))) {
            warn(
                    warnings,
                    repoBottles + " is ignored: bottles may only be defined under " + home.resolve("bottles")
                            + " (a repository must not choose where host credentials go)");
        }
        Map<String, BottleDefinition> bottles = new LinkedHashMap<>();
        for (Path f : definitionFiles(home.resolve("bottles"), warnings)) {
            try {
                bottles.put(stem(f), bottle(FrontmatterDocument.read(f), stem(f)));
            } catch (ManifestException e) {
                problems.add(e);
            }
        }
        Map<String, AgentDefinition> agents = new LinkedHashMap<>();
        List<Path> agentDirs = new ArrayList<>(List.of(home.resolve("agents")));
        Path repoAgents = cwd.resolve(".claude-bottle").resolve("agents");
        if (!same(repoAgents, home.resolve("agents"))) {
            agentDirs.add(repoAgents);
        }
        for (Path dir : agentDirs) {
            for (Path f : definitionFiles(dir, warnings)) {
                try {
                    AgentDefinition a = agent(FrontmatterDocument.read(f), stem(f));
                    AgentDefinition shadowed = agents.put(a.name(), a);
                    if (shadowed != null) {
                        warn(warnings, "agent '" + a.name() + "' from " + f + " shadows " + shadowed.origin());
                    }
                } catch (ManifestException e) {
                    problems.add(e);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw ManifestException.combine(problems);
        }
        return new Manifest(bottles, agents, warnings);
    }

    private static void checkStaleJson(Path dir) {
        Path json = dir.resolve("claude-bottle.json");
        if (Files.isRegularFile(json) && !Files.isDirectory(dir.resolve(".claude-bottle"))) {
            throw ManifestException.of(
                            null,
                            "a leftover single-file manifest was found; bottles and agents are now"
                                    + " one Markdown file each",
                            "move each bottle to ~/.claude-bottle/bottles/<name>.md and each agent to"
                                    + " ~/.claude-bottle/agents/<name>.md (see README, 'Defining bottles'), then delete"
                                    + " claude-bottle.json")
                    .at(json, 0);
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.normalize().equals(b.normalize());
        }
    }

    private static List<Path> definitionFiles(Path dir, List<String> warnings) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith(".") || Files.isDirectory(f)) {
                    continue;
                }
                if (!FILE_NAME.matcher(n).matches()) {
                    warn(warnings, "skipped " + f + ": definition file names must match [a-z][a-z0-9-]*.md");
                    continue;
                }
                files.add(f);
            }
        } catch (IOException e) {
            throw ManifestException.of(null, "cannot list the directory (" + e + ")", "check its permissions")
                    .at(dir, 0);
        }
        return files;
    }

    private static void warn(List<String> warnings, String message) {
        warnings.add(message);
        LOG.log(Level.WARNING, message);
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".md") ? n.substring(0, n.length() - 3) : n;
    }

    private BottleDefinition bottle(FrontmatterDocument doc, String name) {
        Fields f = new Fields(doc.file(), "bottle '" + name + "'");
        Map<String, EnvValue> env = new LinkedHashMap<>();
        List<GitRemote> git = new ArrayList<>();
        List<EgressRoute> routes = new ArrayList<>();
        boolean supervise = false;
        for (YamlNode.Entry e : doc.frontmatter().entries()) {
            f.line(e.key(), e.line());
            switch (e.key()) {
                case "env" -> env.putAll(env(f, e.value()));
                case "git" -> git.addAll(git(f, e.value()));
                case "egress" -> routes.addAll(egress(f, e.value()));
                case "supervise" -> supervise = f.bool("supervise", e.value());
                case "cred_proxy" ->
                    f.problem(
                            "cred_proxy",
                            "'cred_proxy' was replaced by 'egress.routes'",
                            "move each cred_proxy route under 'egress: routes:' as '- host: <upstream host>' with"
                                    + " 'auth: {scheme: <auth_scheme>, token_ref: <token_ref>}' and its 'path' as"
                                    + " 'path_allowlist: [<path>]', then delete 'cred_proxy'");
                case "runtime" ->
                    f.problem(
                            "runtime",
                            "'runtime' was removed: the runtime is detected automatically"
                                    + " (gVisor runsc when the engine has it)",
                            "delete the 'runtime' key");
                default -> f.unknown(e.key(), BOTTLE_KEYS);
            }
        }
        for (int i = 0; i < routes.size(); i++) {
            for (String carried : routes.get(i).carries()) {
                EnvValue v = env.get(carried);
                if (v == null || v instanceof EnvValue.Literal) {
                    f.problem(
                            "egress.routes[" + i + "].carries",
                            "'" + carried + "' is not a forwarded variable of this" + " bottle",
                            "declare it in env as ${HOST_VAR} or a ?secret, or remove it from carries");
                }
            }
        }
        f.throwIfAny();
        boolean supervised = supervise;
        return f.build(() -> new BottleDefinition(name, env, git, routes, supervised, f.origin()));
    }

    private static AgentDefinition agent(FrontmatterDocument doc, String name) {
        Fields f = new Fields(doc.file(), "agent '" + name + "'");
        String bottle = null;
        List<String> skills = new ArrayList<>();
        for (YamlNode.Entry e : doc.frontmatter().entries()) {
            f.line(e.key(), e.line());
            switch (e.key()) {
                case "bottle" -> bottle = f.string("bottle", e.value());
                case "skills" -> skills.addAll(f.strings("skills", e.value()));
                case "name", "description", "model", "color", "memory" -> {
                    /* Claude Code's fields: ignored */
                }
                default -> f.unknown(e.key(), AGENT_KEYS);
            }
        }
        if (bottle == null && doc.frontmatter().get("bottle").isEmpty()) {
            f.line("bottle", 1);
            f.problem(
                    "bottle",
                    "agent '" + name + "' names no bottle",
                    "add 'bottle: <name>' naming a file in ~/.claude-bottle/bottles/");
        }
        f.throwIfAny();
        String b = Objects.requireNonNullElse(bottle, "");
        return f.build(() -> new AgentDefinition(name, b, skills, doc.body().strip(), f.origin()));
    }

    private static Map<String, EnvValue> env(Fields f, YamlNode node) {
        Map<String, EnvValue> env = new LinkedHashMap<>();
        for (YamlNode.Entry e : f.mapping("env", node)) {
            String field = "env." + e.key();
            f.line(field, e.line());
            if (e.value() instanceof YamlNode.Scalar s) {
                f.attempt(field, () -> env.put(e.key(), EnvValue.parse(s.text())));
            } else if (e.value() instanceof YamlNode.Null) {
                f.problem(
                        field,
                        "'" + e.key() + "' has no value",
                        "write a literal, \"${HOST_VAR}\" to copy a host variable, \"?prompt\" to ask for a secret,"
                                + " or \"\" for an empty value");
            } else {
                f.problem(
                        field,
                        "'" + e.key() + "' is " + e.value().kind() + ", not a value",
                        "write one value per line: NAME: value");
            }
        }
        return env;
    }

    private List<GitRemote> git(Fields f, YamlNode node) {
        List<GitRemote> remotes = new ArrayList<>();
        List<YamlNode> items = f.sequence("git", node);
        for (int i = 0; i < items.size(); i++) {
            String field = "git[" + i + "]";
            f.line(field, items.get(i).line());
            Map<String, YamlNode> m = f.keys(field, items.get(i), GIT_KEYS);
            if (m == null) {
                continue;
            }
            String gitName = f.required(field, m, "Name");
            String upstream = f.required(field, m, "Upstream");
            String identity = f.required(field, m, "IdentityFile");
            String hostKey =
                    m.containsKey("KnownHostKey") ? f.string(field + ".KnownHostKey", m.get("KnownHostKey")) : null;
            if (gitName == null || upstream == null || identity == null) {
                continue;
            }
            f.attempt(
                    field,
                    () -> remotes.add(new GitRemote(gitName, GitUpstream.parse(upstream), expand(identity), hostKey)));
        }
        return remotes;
    }

    private Path expand(String path) {
        if (path.startsWith("~/")) {
            return userHome.resolve(path.substring(2));
        }
        return Path.of(path);
    }

    private static List<EgressRoute> egress(Fields f, YamlNode node) {
        Map<String, YamlNode> m = f.keys("egress", node, EGRESS_KEYS);
        if (m == null || !m.containsKey("routes")) {
            return List.of();
        }
        List<EgressRoute> routes = new ArrayList<>();
        List<YamlNode> items = f.sequence("egress.routes", m.get("routes"));
        for (int i = 0; i < items.size(); i++) {
            String field = "egress.routes[" + i + "]";
            f.line(field, items.get(i).line());
            Map<String, YamlNode> r = f.keys(field, items.get(i), ROUTE_KEYS);
            if (r == null) {
                continue;
            }
            String host = f.required(field, r, "host");
            List<String> paths = r.containsKey("path_allowlist")
                    ? f.strings(field + ".path_allowlist", r.get("path_allowlist"))
                    : List.of();
            RouteAuth auth = r.containsKey("auth") ? auth(f, field + ".auth", r.get("auth")) : null;
            String roleText = r.containsKey("role") ? f.string(field + ".role", r.get("role")) : null;
            String tlsText = r.containsKey("tls") ? f.string(field + ".tls", r.get("tls")) : null;
            List<String> carries =
                    r.containsKey("carries") ? f.strings(field + ".carries", r.get("carries")) : List.of();
            if (host == null) {
                continue;
            }
            f.attempt(field, () -> {
                RouteRole role = roleText == null ? null : RouteRole.parse(roleText);
                RouteTls tls = tlsText == null ? RouteTls.INSPECT : RouteTls.parse(tlsText);
                routes.add(new EgressRoute(host, paths, auth, role, tls, carries));
            });
        }
        return routes;
    }

    private static @Nullable RouteAuth auth(Fields f, String field, YamlNode node) {
        Map<String, YamlNode> a = f.keys(field, node, AUTH_KEYS);
        if (a == null) {
            return null;
        }
        if (a.isEmpty()) {
            f.problem(
                    field,
                    "auth is empty",
                    "give it 'scheme' (Bearer or token) and 'token_ref' (the host variable holding the token),"
                            + " or remove 'auth'");
            return null;
        }
        String scheme = f.required(field, a, "scheme");
        String ref = f.required(field, a, "token_ref");
        if (scheme == null || ref == null) {
            return null;
        }
        RouteAuth[] out = new RouteAuth[1];
        f.attempt(field, () -> out[0] = new RouteAuth(AuthScheme.parse(scheme), ref));
        return out[0];
    }

    /** Reads fields of one file, recording each field's line and collecting every problem. */
    private static final class Fields {
        private final Path file;
        private final String what;
        private final Map<String, Integer> lines = new HashMap<>();
        private final List<ManifestException> problems = new ArrayList<>();

        Fields(Path file, String what) {
            this.file = file;
            this.what = what;
            lines.put("", 1);
        }

        Origin origin() {
            return new Origin(file, lines);
        }

        void line(String field, int line) {
            lines.put(field, line);
        }

        void problem(String field, String problem, String fix) {
            problems.add(origin().locate(ManifestException.of(field, problem, fix)));
        }

        void unknown(String key, List<String> allowed) {
            problem(key, "unknown key '" + key + "' in " + what, Suggestions.hint(key, allowed, "keys"));
        }

        void attempt(String field, Runnable r) {
            try {
                r.run();
            } catch (ManifestException e) {
                for (ManifestException p : e.problems()) {
                    String sub = p.field().orElse(null);
                    String full = sub == null ? field : field + "." + sub;
                    problems.add(origin().locate(ManifestException.of(full, p.problem(), p.fix())));
                }
            }
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw ManifestException.combine(problems);
            }
        }

        <T> T build(Supplier<T> s) {
            try {
                return s.get();
            } catch (ManifestException e) {
                throw origin().locate(e);
            }
        }

        List<YamlNode.Entry> mapping(String field, YamlNode node) {
            if (node instanceof YamlNode.Mapping m) {
                return m.entries();
            }
            if (node instanceof YamlNode.Null) {
                return List.of();
            }
            problem(field, "expected a mapping of keys, found " + node.kind(), "write 'key: value' lines under it");
            return List.of();
        }

        List<YamlNode> sequence(String field, YamlNode node) {
            if (node instanceof YamlNode.Sequence s) {
                return s.items();
            }
            if (node instanceof YamlNode.Null) {
                return List.of();
            }
            problem(field, "expected a list, found " + node.kind(), "write one '- item' per line");
            return List.of();
        }

        @Nullable
        Map<String, YamlNode> keys(String field, YamlNode node, List<String> allowed) {
            if (!(node instanceof YamlNode.Mapping m)) {
                problem(
                        field,
                        "expected a mapping of keys, found " + node.kind(),
                        "write " + String.join(", ", allowed) + " as 'key: value'");
                return null;
            }
            Map<String, YamlNode> out = new LinkedHashMap<>();
            for (YamlNode.Entry e : m.entries()) {
                line(field + "." + e.key(), e.line());
                if (allowed.contains(e.key())) {
                    out.put(e.key(), e.value());
                } else {
                    problem(
                            field + "." + e.key(),
                            "unknown key '" + e.key() + "'",
                            Suggestions.hint(e.key(), allowed, "keys"));
                }
            }
            return out;
        }

        @Nullable
        String required(String field, Map<String, YamlNode> m, String key) {
            if (!m.containsKey(key)) {
                problem(field + "." + key, "'" + key + "' is missing", "add '" + key + ": ...'");
                return null;
            }
            return string(field + "." + key, m.get(key));
        }

        @Nullable
        String string(String field, YamlNode node) {
            if (node instanceof YamlNode.Scalar s && !s.text().isBlank()) {
                return s.text();
            }
            problem(
                    field,
                    "expected a value, found " + (node instanceof YamlNode.Scalar ? "an empty value" : node.kind()),
                    "write '" + leaf(field) + ": <value>'");
            return null;
        }

        List<String> strings(String field, YamlNode node) {
            List<String> out = new ArrayList<>();
            List<YamlNode> items = sequence(field, node);
            for (int i = 0; i < items.size(); i++) {
                String s = string(field + "[" + i + "]", items.get(i));
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }

        boolean bool(String field, YamlNode node) {
            if (node instanceof YamlNode.Scalar s) {
                String v = s.text().strip().toLowerCase(Locale.ROOT);
                if (v.equals("true") || v.equals("false")) {
                    return v.equals("true");
                }
            }
            problem(
                    field,
                    "expected true or false",
                    "write '" + leaf(field) + ": true' or '" + leaf(field) + ": false'");
            return false;
        }

        private static String leaf(String field) {
            int dot = field.lastIndexOf('.');
            return dot < 0 ? field : field.substring(dot + 1);
        }
    }
}
