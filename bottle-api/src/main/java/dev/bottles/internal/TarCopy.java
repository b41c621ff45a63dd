package dev.bottles.internal;

import dev.bottles.BottleException;
import dev.bottles.ExecOptions;
import dev.bottles.spi.BackendBottle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@link BackendBottle#copyTo} and {@link BackendBottle#copyFrom} for any backend that streams:
 * the archive is checked whole on the host (kept meanwhile in a private temporary file), then
 * unpacked by {@code tar} in the bottle as the agent's user.
 */
public final class TarCopy {
    /** How long a copy may take. */
    public static final Duration TIMEOUT = Duration.ofMinutes(30);

    private TarCopy() {}

    /**
     * Checks and unpacks an archive into a directory of the bottle.
     *
     * @param bottle the bottle
     * @param tar the archive
     * @param directory an absolute directory
     * @throws BottleException when the archive is refused or the unpacking fails
     */
    public static void into(BackendBottle bottle, InputStream tar, String directory) {
        requireAbsolute(directory);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(
                    "bottles-copy-",
                    ".tar",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                tar.transferTo(out);
            }
            check(tmp);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try (InputStream in = Files.newInputStream(tmp)) {
                code = bottle.execStreaming(
                        List.of("/bin/sh", "-c", "mkdir -p \"$1\" && exec tar -x -f - -C \"$1\"", "copy-to", directory),
                        ExecOptions.defaults().withTimeout(TIMEOUT),
                        in,
                        OutputStream.nullOutputStream(),
                        err);
            }
            if (code != 0) {
                throw new BottleException(
                        "unpacking into " + directory + " in bottle " + bottle.identity() + " failed (exit " + code
                                + "): " + err.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new BottleException("cannot copy an archive into bottle " + bottle.identity() + " (" + e + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a private temporary file
                }
            }
        }
    }

    /**
     * Writes an archive of a path in the bottle.
     *
     * @param bottle the bottle
     * @param path an absolute path
     * @param tar where the archive goes
     * @throws BottleException when the path cannot be archived
     */
    public static void outOf(BackendBottle bottle, String path, OutputStream tar) {
        requireAbsolute(path);
        String p = path.length() > 1 ? path.replaceFirst("/+$", "") : path;
        int slash = p.lastIndexOf('/');
        String parent = slash <= 0 ? "/" : p.substring(0, slash);
        String name = p.substring(slash + 1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = bottle.execStreaming(
                List.of("tar", "-c", "-f", "-", "-C", parent, name.isEmpty() ? "." : name),
                ExecOptions.defaults().withTimeout(TIMEOUT),
                null,
                tar,
                err);
        if (code != 0) {
            throw new BottleException("cannot copy " + path + " out of bottle " + bottle.identity() + " (exit " + code
                    + "): " + err.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private static void requireAbsolute(String path) {
        if (!path.startsWith("/")
                || path.contains("\0")
                || List.of(path.split("/")).contains("..")) {
            throw new IllegalArgumentException("a path in the bottle must be absolute, without '..': " + path);
        }
    }

    /**
     * Checks an archive: only files, directories and links, each name relative and inside the
     * archive, each link's target inside it too.
     *
     * @param tar the archive file
     * @throws BottleException naming the first refused entry
     * @throws IOException when it cannot be read
     */
    public static void check(Path tar) throws IOException {
        try (InputStream in = Files.newInputStream(tar);
                TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            List<String> links = new ArrayList<>();
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                String name = e.getName();
                if (!inside(name)) {
                    throw refused(name, "its name is absolute or climbs out with '..'");
                }
                if (e.isSymbolicLink()) {
                    String target = e.getLinkName();
                    String parent = name.replaceFirst("/+$", "");
                    parent = parent.contains("/") ? parent.substring(0, parent.lastIndexOf('/') + 1) : "";
                    if (target.startsWith("/") || !inside(parent + target)) {
                        throw refused(name, "it links to " + target + ", outside the archive");
                    }
                    links.add(name.replaceFirst("/+$", "") + "/");
                } else if (e.isLink()) {
                    if (!inside(e.getLinkName())) {
                        throw refused(name, "it hard-links to " + e.getLinkName() + ", outside the archive");
                    }
                } else if (!e.isDirectory() && !regular(e)) {
                    throw refused(name, "it is not a file, directory or link (devices and fifos are refused)");
                }
                for (String l : links) {
                    if (name.startsWith(l)) {
                        throw refused(name, "it lies under the link " + l + " the archive made");
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw new BottleException("the archive for copyTo cannot be read as tar (" + e.getMessage() + ")", e);
        }
    }

    private static boolean regular(TarArchiveEntry e) {
        byte f = e.getLinkFlag();
        return f == TarArchiveEntry.LF_NORMAL || f == TarArchiveEntry.LF_OLDNORM || f == TarArchiveEntry.LF_CONTIG;
    }

    private static boolean inside(String name) {
        if (name.startsWith("/") || name.contains("\0")) {
            return false;
        }
        int depth = 0;
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                depth--;
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
            if (depth < 0) {
                return false;
            }
        }
        return true;
    }

    private static BottleException refused(String name, String why) {
        return new BottleException(
                "copyTo refused the archive: entry '" + name + "': " + why + "; nothing was unpacked");
    }
}
