package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The offline image recipe's Java: a {@code jlink} runtime of the JDK running this code (its
 * {@code jmods}), plus the shared libraries it links as {@code ldd} reports them, laid out as a root
 * file system that a {@code FROM scratch} image copies in. No registry is involved. The runtime is
 * cached per module set and JDK under the temp directory.
 */
public final class JavaRuntime {
    /** Where the runtime sits inside the image. */
    public static final String JAVA_HOME_IN_IMAGE = "/opt/java";

    private static final Pattern LDD = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    private final List<String> modules;
    private final Path javaHome;

    /**
     * Describes a runtime of the given modules from the running JDK.
     *
     * @param modules the modules, e.g. {@code java.base}
     */
    public JavaRuntime(List<String> modules) {
        this.modules = List.copyOf(modules);
        this.javaHome = Path.of(System.getProperty("java.home"));
    }

    /**
     * Returns what identifies the runtime's content: the JDK's release file, its home and the modules.
     *
     * @return a stable text for content hashes
     */
    public String identity() {
        String release;
        try {
            release = Files.readString(javaHome.resolve("release"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            release = System.getProperty("java.runtime.version");
        }
        return javaHome + "\n" + release + "\n" + String.join(",", modules) + "\ncds";
    }

    /**
     * Returns the jlinked runtime on the host, building it on first use.
     *
     * @param progress receives a line when it is built
     * @return its directory
     * @throws BottleException when the JDK has no jmods or jlink fails, naming the fix
     */
    public Path runtime(Consumer<String> progress) {
        Path jmods = javaHome.resolve("jmods");
        Path jlink = javaHome.resolve("bin").resolve("jlink");
        if (!Files.isDirectory(jmods) || !Files.isExecutable(jlink)) {
            throw new BottleException("the offline bundle recipe needs a JDK with jlink and jmods, and " + javaHome
                    + " has " + (Files.isExecutable(jlink) ? "no jmods" : "no jlink") + "; install them (Debian:"
                    + " apt-get install openjdk-17-jmods) or use the JRE recipe (CLAUDE_BOTTLE_SIDECAR_RECIPE=jre)");
        }
        Path cache = Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("bottles-jre-" + sha256(identity()).substring(0, 16));
        if (Files.isExecutable(cache.resolve("bin/java"))) {
            return cache;
        }
        progress.accept("jlink: " + String.join(",", modules) + " from " + javaHome);
        Path tmp = cache.resolveSibling(
                cache.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            SecureFiles.deleteRecursively(tmp);
            run(List.of(
                    jlink.toString(),
                    "--add-modules",
                    String.join(",", modules),
                    "--strip-debug",
                    "--no-header-files",
                    "--no-man-pages",
                    "--compress=2",
                    // the JDK's own class data archive: faster start, and the base the bundle's archive needs
                    "--generate-cds-archive",
                    "--output",
                    tmp.toString()));
            Path hostCacerts = javaHome.resolve("lib/security/cacerts").toRealPath();
            if (Files.isRegularFile(hostCacerts) && Files.size(hostCacerts) > 0) {
                Path target = tmp.resolve("lib/security/cacerts");
                Files.deleteIfExists(target);
                Files.copy(hostCacerts, target);
            }
            try {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                SecureFiles.deleteRecursively(tmp);
                if (!Files.isExecutable(cache.resolve("bin/java"))) {
                    throw raced;
                }
            }
            return cache;
        } catch (IOException e) {
            throw new BottleException("cannot build the Java runtime for the bundle image (" + e + ")", e);
        }
    }

    /**
     * Returns the shared libraries the runtime's {@code java} and libraries link, from {@code ldd},
     * keyed by the path they are looked up at.
     *
     * @param runtime the runtime directory
     * @return path in the image to the file on the host
     */
    public static Map<String, Path> sharedLibraries(Path runtime) {
        Map<String, Path> out = new TreeMap<>();
        List<Path> objects = new ArrayList<>();
        objects.add(runtime.resolve("bin/java"));
        try (Stream<Path> s = Files.walk(runtime.resolve("lib"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".so")).forEach(objects::add);
        } catch (IOException e) {
            throw new BottleException("cannot list " + runtime + " (" + e + ")", e);
        }
        for (Path o : objects) {
            libraries(o).forEach((k, v) -> {
                if (!k.startsWith(runtime.toString())) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    /**
     * Returns the shared libraries a binary links, from {@code ldd}, keyed by the path they are
     * looked up at (what a {@code FROM scratch} image must hold for it to run).
     *
     * @param binary the binary
     * @return path in the image to the file on the host
     */
    public static Map<String, Path> libraries(Path binary) {
        Map<String, Path> out = new TreeMap<>();
        for (String line : run(List.of("ldd", binary.toString())).split("\n")) {
            if (line.contains("not found")) {
                continue;
            }
            Matcher m = LDD.matcher(line);
            if (m.find()) {
                out.put(m.group(1), Path.of(m.group(1)));
            }
        }
        return out;
    }

    /**
     * Writes the runtime and its libraries into a tar under {@code prefix}: the runtime at
     * {@link #JAVA_HOME_IN_IMAGE}, each library at its own path, and a world-writable {@code /tmp}.
     *
     * @param out the tar
     * @param prefix the root file system's directory in the tar, e.g. {@code rootfs/}
     * @param progress receives a line when the runtime is built
     * @throws IOException when writing fails
     */
    public void writeTo(TarArchiveOutputStream out, String prefix, Consumer<String> progress) throws IOException {
        Path runtime = runtime(progress);
        try (Stream<Path> s = Files.walk(runtime)) {
            for (Path p : s.sorted().toList()) {
                String rel = runtime.relativize(p).toString();
                String name = prefix + JAVA_HOME_IN_IMAGE.substring(1) + (rel.isEmpty() ? "" : "/" + rel);
                if (Files.isDirectory(p)) {
                    directory(out, name, 0755);
                } else if (Files.isRegularFile(p)) {
                    file(out, name, p, Files.isExecutable(p) ? 0755 : 0644);
                }
            }
        }
        for (Map.Entry<String, Path> lib : sharedLibraries(runtime).entrySet()) {
            file(out, prefix + lib.getKey().substring(1), lib.getValue().toRealPath(), 0755);
        }
        directory(out, prefix + "tmp", 01777);
    }

    /**
     * Adds a directory entry.
     *
     * @param out the tar
     * @param name its name
     * @param mode its mode
     * @throws IOException when writing fails
     */
    public static void directory(TarArchiveOutputStream out, String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    /**
     * Adds a file entry from a host file.
     *
     * @param out the tar
     * @param name its name
     * @param src the host file
     * @param mode its mode
     * @throws IOException when reading or writing fails
     */
    public static void file(TarArchiveOutputStream out, String name, Path src, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(Files.size(src));
        e.setMode(0100000 | mode);
        out.putArchiveEntry(e);
        Files.copy(src, out);
        out.closeArchiveEntry();
    }

    /**
     * Adds a file entry from a stream of unknown length (buffered in memory to learn its size).
     *
     * @param out the tar
     * @param name its name
     * @param in the content
     * @param mode its mode
     * @throws IOException when reading or writing fails
     */
    public static void stream(TarArchiveOutputStream out, String name, InputStream in, int mode) throws IOException {
        bytes(out, name, in.readAllBytes(), mode);
    }

    /**
     * Adds a file entry from bytes.
     *
     * @param out the tar
     * @param name its name
     * @param content the content
     * @param mode its mode
     * @throws IOException when writing fails
     */
    public static void bytes(TarArchiveOutputStream out, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(0100000 | mode);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    /**
     * Opens a tar for writing with long names allowed.
     *
     * @param os where it goes
     * @return the tar stream
     */
    public static TarArchiveOutputStream tar(OutputStream os) {
        TarArchiveOutputStream out = new TarArchiveOutputStream(os);
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return out;
    }

    /**
     * Returns the SHA-256 of a text, in hex.
     *
     * @param text the text
     * @return the digest
     */
    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BottleException(argv.get(0) + " did not finish within 120 s");
            }
            if (p.exitValue() != 0 && !argv.get(0).equals("ldd")) {
                throw new BottleException(
                        String.join(" ", argv) + " failed (exit " + p.exitValue() + "): " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new BottleException(
                    "cannot run " + argv.get(0) + " (" + e.getMessage() + "); the offline bundle recipe"
                            + " needs it on the host (Debian: ldd is in libc-bin, jlink in the JDK)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while running " + argv.get(0), e);
        }
    }
}
