package dev.bottles.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What under a directory others than its user may read: anything but 0700 directories and 0600 files. */
final class FileModes {
    private FileModes() {}

    /**
     * Walks a tree (the root itself left out, symbolic links not followed).
     *
     * @param root the directory
     * @return path relative to {@code root} to its mode, for each one not private
     */
    static Map<String, String> notPrivate(Path root) throws IOException {
        Map<String, String> open = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root) || Files.isSymbolicLink(p)) {
                    continue;
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                if (!mode.equals(Files.isDirectory(p) ? "rwx------" : "rw-------")) {
                    open.put(root.relativize(p).toString(), mode);
                }
            }
        }
        return open;
    }
}
