package dev.bottles.docker.internal;

import com.github.dockerjava.core.GoLangFileMatch;
import dev.bottles.BottleException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * A build context as a tar file: a directory's files minus what its {@code .dockerignore} excludes
 * (Docker's rules: patterns in Go's {@code filepath.Match} syntax, the last matching pattern wins,
 * {@code !} re-includes, a pattern matching a directory excludes what is under it), plus a
 * generated Dockerfile that never touches the directory itself.
 */
final class BuildContext {
    /** The generated Dockerfile's name inside the context. */
    static final String DOCKERFILE = ".bottles.Dockerfile";

    private BuildContext() {}

    /**
     * Writes the context tar.
     *
     * @param dir the directory
     * @param dockerfile the generated Dockerfile's content
     * @param tar where the tar goes
     */
    static void write(Path dir, String dockerfile, Path tar) {
        List<String> ignores = ignores(dir);
        try (OutputStream os = Files.newOutputStream(tar);
                TarArchiveOutputStream out = new TarArchiveOutputStream(os);
                Stream<Path> walk = Files.walk(dir)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : walk.sorted().toList()) {
                if (p.equals(dir) || Files.isSymbolicLink(p) || !Files.isRegularFile(p) && !Files.isDirectory(p)) {
                    continue;
                }
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (excluded(rel, ignores)) {
                    continue;
                }
                TarArchiveEntry e = new TarArchiveEntry(p.toFile(), rel);
                out.putArchiveEntry(e);
                if (Files.isRegularFile(p)) {
                    Files.copy(p, out);
                }
                out.closeArchiveEntry();
            }
            byte[] df = dockerfile.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(DOCKERFILE);
            e.setSize(df.length);
            out.putArchiveEntry(e);
            out.write(df);
            out.closeArchiveEntry();
            out.finish();
        } catch (IOException e) {
            throw new BottleException("cannot pack " + dir + " as a build context (" + e + ")", e);
        }
    }

    private static List<String> ignores(Path dir) {
        Path f = dir.resolve(".dockerignore");
        List<String> out = new ArrayList<>();
        if (Files.isRegularFile(f)) {
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        out.add(t.replaceFirst("^/+", "").replaceFirst("/+$", ""));
                    }
                }
            } catch (IOException e) {
                throw new BottleException("cannot read " + f + " (" + e + ")", e);
            }
        }
        return out;
    }

    /** Whether a path, or a directory above it, is excluded. */
    static boolean excluded(String rel, List<String> ignores) {
        String prefix = rel;
        while (true) {
            Boolean verdict = verdict(prefix, ignores);
            if (verdict != null && verdict) {
                return true;
            }
            int slash = prefix.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            prefix = prefix.substring(0, slash);
        }
    }

    private static @Nullable Boolean verdict(String path, List<String> ignores) {
        Boolean result = null;
        for (String pattern : ignores) {
            boolean negate = pattern.startsWith("!");
            String p = negate ? pattern.substring(1) : pattern;
            if (GoLangFileMatch.match(p, path)) {
                result = !negate;
            }
        }
        return result;
    }
}
