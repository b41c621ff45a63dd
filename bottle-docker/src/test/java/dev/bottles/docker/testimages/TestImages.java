package dev.bottles.docker.testimages;

import dev.bottles.docker.testimages.programs.EscapeProbe;
import dev.bottles.docker.testimages.programs.EscapeUpstream;
import dev.bottles.docker.testimages.programs.GitUpstream;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.dockerengine.JavaRuntime;
import dev.bottles.state.SecureFiles;
import dev.bottles.testkit.FakeAnthropicApi;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tiny local images for integration tests, built from Debian's {@code busybox-static} on
 * {@code FROM scratch} (no registry is reachable), tagged by a hash of their content, labelled
 * {@code dev.bottles.role=test-image}, and removed when the JVM exits.
 *
 * <ul>
 *   <li>{@link #agent()}: busybox with its applets on {@code /bin}, a {@code /tmp}, a
 *       {@code /home/node} and an empty trust bundle; runs {@code sleep infinity}.
 *   <li>{@link #bundle()}: a stand-in sidecar bundle: busybox {@code httpd} on the agent-facing ports
 *       (8080, 9418, 9100) of every interface, and on pipelock's 8888 on its own loopback only.
 * </ul>
 */
public final class TestImages {
    /** Stock clients in the probing agent image, from the host's Debian packages. */
    public static final List<Path> STOCK_TOOLS = List.of(Path.of("/usr/bin/curl"), Path.of("/usr/bin/git"));
    /** Where Debian's busybox-static installs the binary. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final String AGENT_DOCKERFILE = """
            FROM scratch
            COPY busybox /bin/busybox
            COPY rootfs/ /
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            RUN mkdir -p /tmp /home/node /etc/ssl/certs /workspace && chmod 1777 /tmp && touch /etc/ssl/certs/ca-certificates.crt \
                && chown 1000:1000 /home/node /workspace
            ENV PATH=/usr/bin:/bin
            CMD ["sleep", "infinity"]
            """;
    private static final String BUNDLE_DOCKERFILE = """
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            COPY bundle.sh /bundle.sh
            RUN chmod 755 /bundle.sh && mkdir -p /www /tmp && chmod 1777 /tmp
            ENTRYPOINT ["/bundle.sh"]
            """;
    private static final String BUNDLE_SCRIPT = """
            #!/bin/sh
            # a bundle runs on a read-only root as a non-root user: /tmp (a tmpfs) is where it may write
            mkdir -p /tmp/www
            echo "bundle ${CLAUDE_BOTTLE_IDENTITY:-?} daemons=${CLAUDE_BOTTLE_SIDECAR_DAEMONS:-}" > /tmp/www/index.html
            for p in 8080 9418 9100; do httpd -f -p 0.0.0.0:$p -h /tmp/www & done
            httpd -f -p 127.0.0.1:8888 -h /tmp/www &
            echo '{"event":"bundle-ready","daemons":"stand-in"}'
            while :; do sleep 3600 & wait $!; done
            """;

    private static DockerEngine engine;
    private static String agent;
    private static String bundle;
    private static String upstream;
    private static String probeAgent;
    /** The modules of the test images' Java runtime. */
    public static final List<String> TEST_MODULES = List.of(
            "java.base",
            "java.logging",
            "java.management",
            "java.naming",
            "java.net.http",
            "java.rmi",
            "java.security.jgss",
            "jdk.crypto.ec",
            "jdk.httpserver",
            "jdk.unsupported");
    /** Library jars (by file-name prefix) the test images' programs need: JGit and its SSH server. */
    private static final List<String> LIBS = List.of(
            "org.eclipse.jgit-",
            "org.eclipse.jgit.junit",
            "sshd-osgi-",
            "sshd-sftp-",
            "slf4j-api-",
            "slf4j-nop-",
            "commons-codec-",
            "jcl-over-slf4j-");

    private static String gitUpstream;

    private TestImages() {}

    /**
     * Returns the test agent image, building it on first use.
     *
     * @return the image reference
     */
    public static synchronized String agent() {
        if (agent == null) {
            agent = build("agent", AGENT_DOCKERFILE, Map.of());
        }
        return agent;
    }

    /**
     * Returns the stand-in bundle image, building it on first use.
     *
     * @return the image reference
     */
    public static synchronized String bundle() {
        if (bundle == null) {
            bundle = build("bundle", BUNDLE_DOCKERFILE, Map.of("bundle.sh", BUNDLE_SCRIPT));
        }
        return bundle;
    }

    /**
     * Returns the upstream image: {@link dev.bottles.docker.testimages.programs.EscapeUpstream} on a
     * jlinked runtime, {@code FROM scratch}; copy {@code /certs/server.p12} in before starting it.
     *
     * @return the image reference
     */
    public static synchronized String upstream() {
        if (upstream == null) {
            upstream = javaImage("upstream", false, EscapeUpstream.class);
        }
        return upstream;
    }

    /**
     * Returns the fake Anthropic API's image ({@link dev.bottles.testkit.FakeAnthropicApi}); copy
     * {@code /certs/server.p12} (password {@code test}) in before starting it.
     *
     * @return the image reference
     */
    public static synchronized String fakeAnthropic() {
        if (fakeAnthropic == null) {
            fakeAnthropic = javaImage("fake-anthropic", false, FakeAnthropicApi.class);
        }
        return fakeAnthropic;
    }

    private static String fakeAnthropic;

    /**
     * Returns the SSH git upstream image ({@link dev.bottles.docker.testimages.programs.GitUpstream});
     * copy {@code /certs} in before starting it.
     *
     * @return the image reference
     */
    public static synchronized String gitUpstream() {
        if (gitUpstream == null) {
            gitUpstream = javaImage("git-upstream", false, GitUpstream.class);
        }
        return gitUpstream;
    }

    /**
     * Returns the probing agent image: the busybox agent plus a Java runtime and
     * {@link dev.bottles.docker.testimages.programs.EscapeProbe} ({@code java -jar /opt/probe.jar ...}).
     *
     * @return the image reference
     */
    public static synchronized String probeAgent() {
        if (probeAgent == null) {
            probeAgent = javaImage("probe-agent", true, EscapeProbe.class);
        }
        return probeAgent;
    }

    private static String javaImage(String name, boolean busybox, Class<?> main) {
        requireEngine();
        try {
            Path tar = Files.createTempFile("bottle-test-image-", ".tar");
            byte[] jar = jarOf(main);
            String dockerfile = "FROM scratch\nCOPY rootfs/ /\n"
                    + (busybox
                            ? "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
                                    + "RUN mkdir -p /home/node /etc/ssl/certs /workspace && touch /etc/ssl/certs/ca-certificates.crt"
                                    + " && chown 1000:1000 /home/node /workspace\n"
                                    + "CMD [\"sleep\", \"infinity\"]\n"
                            : "ENTRYPOINT [\"/opt/java/bin/java\", \"-XX:+UseSerialGC\", \"-jar\", \"/opt/app.jar\"]\n")
                    + "ENV PATH=/bin:/usr/bin:/opt/java/bin\n";
            JavaRuntime rt = new JavaRuntime(TEST_MODULES);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(dockerfile.getBytes(StandardCharsets.UTF_8));
            md.update(jar);
            for (Path lib : libs()) {
                md.update(lib.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            }
            md.update(rt.identity().getBytes(StandardCharsets.UTF_8));
            md.update(Long.toString(Files.size(BUSYBOX)).getBytes(StandardCharsets.UTF_8));
            if (busybox) {
                for (Path tool : STOCK_TOOLS) {
                    if (!Files.isExecutable(tool)) {
                        Assertions.fail(tool + " is missing; install Debian's curl and git (apt-get install curl git)");
                    }
                    md.update(Long.toString(Files.size(tool.toRealPath())).getBytes(StandardCharsets.UTF_8));
                }
            }
            String tag = "bottle-test/" + name + ":"
                    + HexFormat.of().formatHex(md.digest()).substring(0, 12);
            if (!engine().imageExists(tag)) {
                try (OutputStream os = Files.newOutputStream(tar);
                        var out = JavaRuntime.tar(os)) {
                    rt.writeTo(out, "rootfs/", line -> {});
                    if (busybox) {
                        JavaRuntime.file(out, "rootfs/bin/busybox", BUSYBOX, 0755);
                        // stock clients the agent attacks with: curl and git, each with the libraries ldd names
                        Map<String, Path> libs = new TreeMap<>();
                        for (Path tool : STOCK_TOOLS) {
                            JavaRuntime.file(out, "rootfs/usr/bin/" + tool.getFileName(), tool.toRealPath(), 0755);
                            libs.putAll(JavaRuntime.libraries(tool));
                        }
                        for (Map.Entry<String, Path> lib : libs.entrySet()) {
                            JavaRuntime.file(
                                    out, "rootfs" + lib.getKey(), lib.getValue().toRealPath(), 0755);
                        }
                    }
                    JavaRuntime.bytes(out, "rootfs/opt/" + (busybox ? "probe" : "app") + ".jar", jar, 0644);
                    for (Path lib : libs()) {
                        JavaRuntime.file(out, "rootfs/opt/lib/" + lib.getFileName(), lib, 0644);
                    }
                    JavaRuntime.bytes(out, "Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), 0644);
                    out.finish();
                }
                engine().buildTar(tar, "Dockerfile", tag, Map.of("dev.bottles.role", "test-image"), line -> {});
            }
            Files.deleteIfExists(tar);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> remove(tag)));
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The library jars on this JVM's class path that the programs need. */
    private static List<Path> libs() {
        List<Path> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String n = p.getFileName().toString();
            if (n.endsWith(".jar") && LIBS.stream().anyMatch(n::startsWith) && !n.contains("tests")) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparing(Path::toString));
        return out;
    }

    /** A jar of one program's classes (the class and its nested classes), with it as Main-Class. */
    private static byte[] jarOf(Class<?> main) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        mf.getMainAttributes()
                .put(
                        Attributes.Name.CLASS_PATH,
                        String.join(
                                " ",
                                libs().stream()
                                        .map(p -> "lib/" + p.getFileName())
                                        .toList()));
        String dir = main.getPackageName().replace('.', '/') + "/";
        String simple = main.getSimpleName();
        Map<String, byte[]> classes = new TreeMap<>();
        URL src = main.getProtectionDomain().getCodeSource().getLocation();
        Path loc;
        try {
            loc = Path.of(src.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isDirectory(loc)) {
            try (var s = Files.list(loc.resolve(dir))) {
                for (Path p : s.toList()) {
                    String f = p.getFileName().toString();
                    if (f.equals(simple + ".class") || f.startsWith(simple + "$")) {
                        classes.put(dir + f, Files.readAllBytes(p));
                    }
                }
            }
        } else {
            try (JarFile jf = new JarFile(loc.toFile())) {
                for (var e : Collections.list(jf.entries())) {
                    String n = e.getName();
                    if (n.equals(dir + simple + ".class") || n.startsWith(dir + simple + "$")) {
                        try (var in = jf.getInputStream(e)) {
                            classes.put(n, in.readAllBytes());
                        }
                    }
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            for (var c : classes.entrySet()) {
                JarEntry je = new JarEntry(c.getKey());
                je.setTime(0);
                out.putNextEntry(je);
                out.write(c.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Returns one engine connection shared by the tests of this JVM (closed at exit), after making
     * sure an engine answers.
     *
     * @return the engine
     */
    public static synchronized DockerEngine engine() {
        if (engine == null) {
            DockerEngine e = connectOrSkip();
            Runtime.getRuntime().addShutdownHook(new Thread(e::close));
            engine = e;
        }
        return engine;
    }

    /**
     * Lists what the engine still holds for a bottle: containers and networks carrying its
     * {@code dev.bottles.identity} label.
     *
     * @param identity the bottle
     * @return descriptions such as {@code container claude-bottle-x-1}
     */
    public static Set<String> labelled(String identity) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, String> label = Map.of("dev.bottles.identity", identity);
        engine().containers(label).forEach(c -> out.add("container " + c.name()));
        engine().networks(label).forEach(n -> out.add("network " + n.name()));
        return out;
    }

    /**
     * Removes what the engine still holds for a bottle a test launched (after a failed test).
     *
     * @param identity the bottle
     */
    public static void removeLabelled(String identity) {
        Map<String, String> label = Map.of("dev.bottles.identity", identity);
        engine().containers(label).forEach(c -> engine().removeContainer(c.id()));
        engine().networks(label).forEach(n -> engine().removeNetwork(n.id()));
    }

    /**
     * Makes sure an engine answers: skips the test when none does, except under {@code CI=true},
     * where a missing engine fails it.
     *
     * @return the engine's address
     */
    public static String requireEngine() {
        return engine().host();
    }

    private static DockerEngine connectOrSkip() {
        try {
            DockerEngine e = DockerEngine.connect(System.getenv("DOCKER_HOST"));
            e.info();
            return e;
        } catch (RuntimeException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true and no Docker engine answers: " + e.getMessage());
            }
            Assumptions.abort("no Docker engine: " + e.getMessage());
            throw e;
        }
    }

    private static String build(String name, String dockerfile, Map<String, String> files) {
        if (!Files.isRegularFile(BUSYBOX)) {
            Assertions.fail(BUSYBOX + " is missing; install Debian's busybox-static (apt-get install busybox-static)");
        }
        try {
            Path ctx = Files.createTempDirectory("bottle-test-image-");
            Files.copy(BUSYBOX, ctx.resolve("busybox"));
            Files.createDirectories(ctx.resolve("rootfs"));
            if (dockerfile.contains("COPY rootfs/")) {
                // the image contract asks for git: stock git with the libraries ldd names
                Path git = Path.of("/usr/bin/git");
                if (!Files.isExecutable(git)) {
                    Assertions.fail(git + " is missing; install Debian's git (apt-get install git)");
                }
                Map<String, Path> libs = new TreeMap<>(JavaRuntime.libraries(git));
                libs.put("/usr/bin/git", git.toRealPath());
                for (Map.Entry<String, Path> f : libs.entrySet()) {
                    Path to = ctx.resolve("rootfs" + f.getKey());
                    Files.createDirectories(to.getParent());
                    Files.copy(f.getValue().toRealPath(), to);
                }
            }
            Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(dockerfile.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(ctx.resolve(f.getKey()), f.getValue());
                md.update(f.getValue().getBytes(StandardCharsets.UTF_8));
            }
            md.update(Long.toString(Files.size(BUSYBOX)).getBytes(StandardCharsets.UTF_8));
            md.update(Long.toString(Files.size(Path.of("/usr/bin/git").toRealPath()))
                    .getBytes(StandardCharsets.UTF_8));
            String tag = "bottle-test/" + name + ":"
                    + HexFormat.of().formatHex(md.digest()).substring(0, 12);
            if (!engine().imageExists(tag)) {
                engine().build(
                                ctx.toFile(),
                                ctx.resolve("Dockerfile").toFile(),
                                tag,
                                Map.of("dev.bottles.role", "test-image"),
                                line -> {});
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> remove(tag)));
            SecureFiles.deleteRecursively(ctx);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes an image when this JVM exits if the engine lacks it now (so a test that makes the SDK
     * build its bundle image leaves nothing behind, yet never removes a user's image).
     *
     * @param ref the image
     */
    public static synchronized void removeAtExitIfNew(String ref) {
        if (!engine().imageExists(ref)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> remove(ref)));
        }
    }

    private static void remove(String tag) {
        try (DockerEngine e = DockerEngine.connect(System.getenv("DOCKER_HOST"))) {
            e.removeImage(tag);
        } catch (RuntimeException e) {
            System.err.println("could not remove test image " + tag + ": " + e.getMessage());
        }
    }
}
