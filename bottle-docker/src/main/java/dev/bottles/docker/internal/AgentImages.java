package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.claude.ClaudeCode;
import dev.bottles.docker.DockerSettings;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.JavaRuntime;
import dev.bottles.dockerengine.Labels;
import dev.bottles.spi.Settings;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's agent image, {@code claude-bottle:<content hash>}: Claude Code at a pinned version for
 * the image contract in {@code docs/agent-image.md} (user {@code node} uid 1000, a writable
 * {@code /home/node}, {@code /workspace} owned by it, a trust bundle provisioning extends,
 * {@code sleep}, {@code git}). Built on the first launch that needs it, tagged by a hash of its
 * inputs so it is rebuilt only when one changes, and labelled with the Claude Code version. Two
 * recipes, chosen by {@value DockerSettings#AGENT_RECIPE}:
 * <ul>
 *   <li>{@code offline} (default): {@code FROM scratch} with Claude Code's native Linux binary
 *       (fetched with the host's {@code npm pack}, so it needs npm and the npm registry, but no image
 *       registry), Debian's {@code busybox-static}, the host's {@code git} with its helpers,
 *       {@code bash} and {@code curl} (when the host has it), and the shared libraries {@code ldd} lists for them;
 *   <li>{@code registry}: a Node base image ({@value #DEFAULT_NODE_BASE} unless
 *       {@value DockerSettings#AGENT_NODE_BASE} names another) with git from apt and Claude Code from
 *       npm, for engines that can pull.
 * </ul>
 * {@value DockerSettings#IMAGE} replaces the image altogether.
 */
public final class AgentImages {
    /** The image repository. */
    public static final String REPOSITORY = "claude-bottle";
    /** The Claude Code version used unless {@value DockerSettings#CLAUDE_CODE_VERSION} names another. */
    public static final String DEFAULT_CLAUDE_CODE_VERSION = ClaudeCode.PINNED_VERSION;
    /** The registry recipe's default base image. */
    public static final String DEFAULT_NODE_BASE = "node:20-bookworm-slim";
    /** The image label recording the Claude Code version. */
    public static final String VERSION_LABEL = "dev.bottles.claude-code.version";
    /** The image label recording the recipe. */
    public static final String RECIPE_LABEL = "dev.bottles.agent.recipe";
    /** The npm package holding Claude Code. */
    public static final String PACKAGE = "@anthropic-ai/claude-code";
    /** The agent's user, uid and home, as the image contract fixes them. */
    public static final int UID = 1000;
    /** Where Claude Code lands in the offline image. */
    static final String CLAUDE_IN_IMAGE = "usr/local/bin/claude";

    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final Path GIT = Path.of("/usr/bin/git");
    private static final Path GIT_CORE = Path.of("/usr/lib/git-core");
    private static final Path GIT_TEMPLATES = Path.of("/usr/share/git-core/templates");
    private static final Path BASH = Path.of("/bin/bash");
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final Path HOST_CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");
    private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/bash\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    private static final String GROUP = "root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n";

    private AgentImages() {}

    /** The recipes. */
    public enum Recipe {
        /** Claude Code's native binary and host binaries on {@code FROM scratch}. */
        OFFLINE,
        /** Claude Code from npm on a Node base image. */
        REGISTRY;

        static Recipe of(Map<String, String> s) {
            String v = s.getOrDefault(DockerSettings.AGENT_RECIPE, "offline")
                    .strip()
                    .toLowerCase(Locale.ROOT);
            return switch (v) {
                case "offline" -> OFFLINE;
                case "registry" -> REGISTRY;
                default ->
                    throw new BottleException(
                            DockerSettings.AGENT_RECIPE + "=" + v + " is not a recipe; use offline or registry");
            };
        }
    }

    /**
     * The build settings a plan carries for the agent image: recipe, Claude Code version, Node base.
     *
     * @param s the settings
     * @return the settings that are set, by name
     * @throws BottleException when one is malformed
     */
    public static Map<String, String> buildSettings(Settings s) {
        Map<String, String> m = s.subset(List.of(
                DockerSettings.AGENT_RECIPE,
                DockerSettings.CLAUDE_CODE_VERSION,
                DockerSettings.AGENT_NODE_BASE,
                DockerSettings.NPM));
        m.replaceAll((k, v) -> v.strip());
        Recipe.of(m);
        version(m);
        return m;
    }

    /**
     * Returns the Claude Code version the settings ask for.
     *
     * @param build the build settings
     * @return e.g. {@code 2.1.332}
     * @throws BottleException when it is not a plain version
     */
    public static String version(Map<String, String> build) {
        String v = build.getOrDefault(DockerSettings.CLAUDE_CODE_VERSION, DEFAULT_CLAUDE_CODE_VERSION);
        if (!v.matches("[0-9]+\\.[0-9]+\\.[0-9]+([-.][0-9A-Za-z.]+)?")) {
            throw new BottleException(DockerSettings.CLAUDE_CODE_VERSION + "=" + v + " is not a Claude Code version;"
                    + " use one npm lists (npm view " + PACKAGE + " versions), e.g. " + DEFAULT_CLAUDE_CODE_VERSION);
        }
        return v;
    }

    /**
     * Returns the SDK's image reference for the build settings, without building anything.
     *
     * @param build the build settings
     * @return {@code claude-bottle:<hash>}
     */
    public static String reference(Map<String, String> build) {
        Recipe r = Recipe.of(build);
        StringBuilder inputs = new StringBuilder(dockerfile(r, build))
                .append('\n')
                .append(version(build))
                .append('\n');
        if (r == Recipe.OFFLINE) {
            for (Path p : List.of(BUSYBOX, GIT, BASH, CURL)) {
                inputs.append(p).append(' ').append(identity(p)).append('\n');
            }
            inputs.append(identity(Path.of("/lib64/ld-linux-x86-64.so.2")))
                    .append('\n')
                    .append(arch())
                    .append('\n');
        }
        return REPOSITORY + ":" + JavaRuntime.sha256(inputs.toString()).substring(0, 12);
    }

    /**
     * Tells whether a reference is one this class builds.
     *
     * @param reference an image reference
     * @return whether it is in {@value #REPOSITORY} with a content-hash tag
     */
    public static boolean isSdkImage(String reference) {
        return reference.matches(REPOSITORY + ":[0-9a-f]{12}");
    }

    /**
     * Builds the SDK's image when the engine lacks it.
     *
     * @param engine the engine
     * @param reference the image {@link #reference} named
     * @param build the build settings
     * @param progress receives build output lines
     * @return true when it was built now
     * @throws BottleException when the build fails, naming what is missing and the fix
     */
    public static boolean ensure(
            DockerEngine engine, String reference, Map<String, String> build, Consumer<String> progress) {
        if (engine.imageExists(reference)) {
            return false;
        }
        Recipe r = Recipe.of(build);
        String version = version(build);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.ROLE, "image");
        labels.put(VERSION_LABEL, version);
        labels.put(RECIPE_LABEL, r.name().toLowerCase(Locale.ROOT));
        Path work = null;
        try {
            work = Files.createTempDirectory("bottles-agent-image-");
            Path tar = work.resolve("context.tar");
            Path pkg = r == Recipe.OFFLINE
                    ? npmPack(build.getOrDefault(DockerSettings.NPM, "npm"), version, work, progress)
                    : null;
            try (OutputStream os = Files.newOutputStream(tar);
                    TarArchiveOutputStream out = JavaRuntime.tar(os)) {
                if (pkg != null) {
                    writeOfflineContext(out, pkg);
                }
                JavaRuntime.directory(out, "node", 0755);
                JavaRuntime.bytes(out, "Dockerfile", dockerfile(r, build).getBytes(StandardCharsets.UTF_8), 0644);
                out.finish();
            }
            if (pkg != null) {
                Files.delete(pkg);
            }
            progress.accept("building " + reference + " (Claude Code " + version + ", "
                    + r.name().toLowerCase(Locale.ROOT) + " recipe)");
            engine.buildTar(tar, "Dockerfile", reference, labels, progress);
            return true;
        } catch (IOException e) {
            throw new BottleException("cannot write the agent image's build context (" + e + ")", e);
        } finally {
            if (work != null) {
                SecureFiles.deleteRecursively(work);
            }
        }
    }

    /**
     * Returns a recipe's Dockerfile.
     *
     * @param r the recipe
     * @param build the build settings (version, Node base)
     * @return the Dockerfile text
     */
    public static String dockerfile(Recipe r, Map<String, String> build) {
        String tail = "COPY --chown=1000:1000 node/ /home/node/\nCOPY --chown=1000:1000 node/ /workspace/\n"
                + "ENV SHELL=/bin/bash\nWORKDIR /workspace\nCMD [\"sleep\", \"infinity\"]\n";
        if (r == Recipe.OFFLINE) {
            return "FROM scratch\nCOPY claude/ /\nCOPY rootfs/ /\n"
                    + "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin GIT_EXEC_PATH=/usr/lib/git-core\n" + tail;
        }
        return "FROM " + build.getOrDefault(DockerSettings.AGENT_NODE_BASE, DEFAULT_NODE_BASE) + "\n"
                + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
                + " git bash curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"
                + "RUN npm install -g " + PACKAGE + "@" + version(build) + " && npm cache clean --force\n"
                + "RUN id -u node | grep -qx 1000\n" + tail;
    }

    /** Fetches the native package for this machine with the host's npm into {@code work}. */
    static Path npmPack(String npm, String version, Path work, Consumer<String> progress) {
        String spec = PACKAGE + "-linux-" + arch() + "@" + version;
        progress.accept("fetching " + spec + " with npm");
        List<String> argv = List.of(npm, "pack", "--silent", "--pack-destination", work.toString(), spec);
        try {
            Process p = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .directory(work.toFile())
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new BottleException("npm pack " + spec + " did not finish in 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new BottleException("npm pack " + spec + " failed (exit " + p.exitValue() + "): "
                        + tail(out) + ". Check that the npm registry answers and that "
                        + DockerSettings.CLAUDE_CODE_VERSION
                        + " names a published version, or set " + DockerSettings.IMAGE + " to an image of your own");
            }
        } catch (IOException e) {
            throw new BottleException(
                    "the offline agent image recipe needs npm on the host to fetch Claude Code "
                            + version + ", and " + npm + " cannot be run (" + e.getMessage()
                            + "); install Node.js and npm"
                            + " (Debian: apt-get install npm) or point " + DockerSettings.NPM + " at npm,"
                            + " or set " + DockerSettings.AGENT_RECIPE + "=registry on an engine that can pull, or set "
                            + DockerSettings.IMAGE + " to an image of your own",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while fetching " + spec, e);
        }
        try (Stream<Path> s = Files.list(work)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tgz"))
                    .findFirst()
                    .orElseThrow(() -> new BottleException("npm pack " + spec + " wrote no .tgz into " + work));
        } catch (IOException e) {
            throw new BottleException("cannot list " + work + " (" + e + ")", e);
        }
    }

    private static String tail(String out) {
        String s = out.strip();
        return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
    }

    /** Claude Code's binary under {@code claude/}, everything else under {@code rootfs/}. */
    private static void writeOfflineContext(TarArchiveOutputStream out, Path pkg) throws IOException {
        boolean found = false;
        try (InputStream in = Files.newInputStream(pkg);
                GzipCompressorInputStream gz = new GzipCompressorInputStream(in);
                TarArchiveInputStream t = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                if (e.getName().equals("package/claude") && e.isFile()) {
                    TarArchiveEntry c = new TarArchiveEntry("claude/" + CLAUDE_IN_IMAGE);
                    c.setSize(e.getSize());
                    c.setMode(0100755);
                    out.putArchiveEntry(c);
                    t.transferTo(out);
                    out.closeArchiveEntry();
                    found = true;
                }
            }
        }
        if (!found) {
            throw new BottleException(pkg.getFileName() + " holds no package/claude binary; this Claude Code version"
                    + " does not ship a native Linux binary. Use " + DockerSettings.AGENT_RECIPE + "=registry, or a"
                    + " 2.1.x version");
        }
        requireHostFile(BUSYBOX, "busybox-static");
        requireHostFile(GIT, "git");
        requireHostFile(BASH, "bash");
        Map<String, Path> libs = new TreeMap<>();
        String r = "rootfs/";
        JavaRuntime.file(out, r + "bin/busybox", BUSYBOX, 0755);
        for (String applet : applets()) {
            if (!applet.equals("bin/busybox")
                    && !applet.equals("bin/bash")
                    && !applet.startsWith("usr/bin/git")
                    && !(applet.equals("usr/bin/curl") && Files.isRegularFile(CURL))) {
                symlink(out, r + applet, "/bin/busybox");
            }
        }
        JavaRuntime.file(out, r + "bin/bash", BASH.toRealPath(), 0755);
        libs.putAll(JavaRuntime.libraries(BASH));
        if (Files.isRegularFile(CURL)) {
            JavaRuntime.file(out, r + "usr/bin/curl", CURL.toRealPath(), 0755);
            libs.putAll(JavaRuntime.libraries(CURL));
        }
        JavaRuntime.file(out, r + "usr/bin/git", GIT.toRealPath(), 0755);
        libs.putAll(JavaRuntime.libraries(GIT));
        if (Files.isDirectory(GIT_CORE)) {
            copyTree(out, GIT_CORE, r + "usr/lib/git-core", libs);
        }
        if (Files.isDirectory(GIT_TEMPLATES)) {
            copyTree(out, GIT_TEMPLATES, r + "usr/share/git-core/templates", libs);
        }
        for (Map.Entry<String, Path> lib : libs.entrySet()) {
            JavaRuntime.file(out, r + lib.getKey().substring(1), lib.getValue().toRealPath(), 0755);
        }
        // Claude Code links only glibc: the rest of glibc's libraries it names, beside the libc git uses.
        String libc = libs.keySet().stream()
                .filter(k -> k.endsWith("/libc.so.6"))
                .findFirst()
                .orElseThrow(() -> new BottleException(
                        "ldd " + GIT + " names no libc.so.6; the offline recipe needs a glibc host"));
        Path libDir = SecureFiles.parent(Path.of(libc));
        for (String name : List.of("librt.so.1", "libpthread.so.0", "libdl.so.2", "libm.so.6")) {
            Path p = libDir.resolve(name);
            if (!libs.containsKey(p.toString()) && Files.exists(p)) {
                JavaRuntime.file(out, r + p.toString().substring(1), p.toRealPath(), 0755);
            }
        }
        JavaRuntime.bytes(out, r + "etc/passwd", PASSWD.getBytes(StandardCharsets.UTF_8), 0644);
        JavaRuntime.bytes(out, r + "etc/group", GROUP.getBytes(StandardCharsets.UTF_8), 0644);
        JavaRuntime.bytes(
                out,
                r + "etc/nsswitch.conf",
                "passwd: files\ngroup: files\nhosts: files dns\n".getBytes(StandardCharsets.UTF_8),
                0644);
        JavaRuntime.directory(out, r + "etc/ssl/certs", 0755);
        if (Files.isRegularFile(HOST_CA_BUNDLE)) {
            JavaRuntime.file(out, r + "etc/ssl/certs/ca-certificates.crt", HOST_CA_BUNDLE.toRealPath(), 0644);
        } else {
            JavaRuntime.bytes(out, r + "etc/ssl/certs/ca-certificates.crt", new byte[0], 0644);
        }
        JavaRuntime.directory(out, r + "usr/local/share/ca-certificates", 0755);
        JavaRuntime.directory(out, r + "root", 0700);
        JavaRuntime.directory(out, r + "tmp", 01777);
        JavaRuntime.directory(out, r + "var/tmp", 01777);
    }

    private static void copyTree(TarArchiveOutputStream out, Path dir, String to, Map<String, Path> libs)
            throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = to + (p.equals(dir) ? "" : "/" + dir.relativize(p));
                if (Files.isSymbolicLink(p)) {
                    symlink(out, name, Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p)) {
                    JavaRuntime.directory(out, name, 0755);
                } else if (Files.isRegularFile(p)) {
                    boolean exec = Files.isExecutable(p);
                    JavaRuntime.file(out, name, p, exec ? 0755 : 0644);
                    if (exec && elf(p)) {
                        libs.putAll(JavaRuntime.libraries(p));
                    }
                }
            }
        }
    }

    private static boolean elf(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    private static void symlink(TarArchiveOutputStream out, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    /** The busybox applets' paths, relative to {@code /}. */
    private static List<String> applets() {
        List<String> out = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(BUSYBOX.toString(), "--list-full")
                    .redirectErrorStream(true)
                    .start();
            for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.contains("..")) {
                    out.add(line.strip().replaceFirst("^/+", ""));
                }
            }
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new BottleException("cannot list busybox's applets (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted listing busybox's applets", e);
        }
        return out;
    }

    private static void requireHostFile(Path p, String debianPackage) {
        if (!Files.isRegularFile(p)) {
            throw new BottleException("the offline agent image recipe needs " + p + " on the host; install it (Debian:"
                    + " apt-get install " + debianPackage + "), or set " + DockerSettings.AGENT_RECIPE
                    + "=registry, or set " + DockerSettings.IMAGE + " to an image of your own");
        }
    }

    private static String identity(Path p) {
        try {
            Path real = p.toRealPath();
            return real + ":" + Files.size(real) + ":"
                    + Files.getLastModifiedTime(real).toMillis();
        } catch (IOException e) {
            return p + ":absent";
        }
    }

    /** npm's name for this machine's architecture. */
    static String arch() {
        String a = System.getProperty("os.arch", "amd64");
        return switch (a) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            default ->
                throw new BottleException("Claude Code ships no native Linux binary for " + a + "; set "
                        + DockerSettings.AGENT_RECIPE + "=registry or " + DockerSettings.IMAGE);
        };
    }

    /**
     * Reads the Claude Code version an image records.
     *
     * @param engine the engine
     * @param reference the image
     * @return the version, or null when the image does not say or is absent
     */
    public static @Nullable String recordedVersion(DockerEngine engine, String reference) {
        return engine.imageLabels(reference).map(l -> l.get(VERSION_LABEL)).orElse(null);
    }
}
