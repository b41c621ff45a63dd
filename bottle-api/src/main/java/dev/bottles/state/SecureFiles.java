package dev.bottles.state;

import dev.bottles.BottleException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes host-side state safely: directories 0700, private files 0600 from the moment they exist,
 * every write atomic (a temporary file in the same directory, forced to disk, then renamed over
 * the target). On a file system without POSIX permissions the modes are skipped.
 */
public final class SecureFiles {
    /**
     * Returns the directory a file is in.
     *
     * @param file a file, relative or absolute
     * @return its absolute parent directory
     * @throws IllegalArgumentException for the file system's root, which has none
     */
    public static Path parent(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException(file + " has no parent directory");
        }
        return dir;
    }

    /** Mode 0700. */
    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    /** Mode 0600. */
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    /** Mode 0644. */
    public static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");

    private SecureFiles() {}

    /**
     * Creates a directory and any missing parents; every directory created gets mode 0700, and so
     * does {@code dir} itself.
     *
     * @param dir the directory
     * @return {@code dir}
     * @throws BottleException when it cannot be created
     */
    public static Path createPrivateDirectories(Path dir) {
        try {
            Deque<Path> missing = new ArrayDeque<>();
            for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
                missing.push(p);
            }
            for (Path p : missing) {
                try {
                    Files.createDirectory(p);
                } catch (FileAlreadyExistsException raced) {
                    continue;
                }
                chmod(p, PRIVATE_DIR);
                inheritOwner(p.getParent(), p);
            }
            if (!Files.isDirectory(dir)) {
                throw new BottleException("cannot create directory " + dir + ": a file of that name exists; remove it");
            }
            chmod(dir, PRIVATE_DIR);
            return dir;
        } catch (IOException e) {
            throw new BottleException("cannot create directory " + dir + " (" + e + "); check permissions", e);
        }
    }

    /**
     * Writes a private (0600) file atomically.
     *
     * @param file the file
     * @param content its content
     * @throws BottleException when it cannot be written
     */
    public static void writePrivate(Path file, byte[] content) {
        write(file, content, PRIVATE_FILE);
    }

    /**
     * Writes a private (0600) UTF-8 text file atomically.
     *
     * @param file the file
     * @param content its content
     * @throws BottleException when it cannot be written
     */
    public static void writePrivate(Path file, String content) {
        write(file, content.getBytes(StandardCharsets.UTF_8), PRIVATE_FILE);
    }

    /**
     * Writes a world-readable (0644) file atomically, for what a process of another user must read
     * and is not secret: the {@code resolv.conf} mounted into the agent, whose user is not the
     * host's. Everything else under the bottle home is 0600.
     *
     * @param file the file
     * @param content its content
     * @throws BottleException when it cannot be written
     */
    public static void writePublic(Path file, byte[] content) {
        write(file, content, PUBLIC_FILE);
    }

    /**
     * Writes a file atomically with the given mode; the mode holds from the file's creation.
     *
     * @param file the file
     * @param content its content
     * @param mode its permissions
     * @throws BottleException when it cannot be written
     */
    public static void write(Path file, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = parent(file);
        Path tmp = null;
        try {
            tmp = posix(dir)
                    ? Files.createTempFile(
                            dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE_FILE))
                    : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            chmod(tmp, mode);
            inheritOwner(dir, tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new BottleException(
                    "cannot write " + file + " (" + e + "); check that its directory exists and" + " is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file holds no more than the target would have
                }
            }
        }
    }

    /**
     * Deletes a file or a directory tree; a missing path is success.
     *
     * @param path the file or directory
     * @throws BottleException when something cannot be deleted
     */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null && !(exc instanceof NoSuchFileException)) {
                        throw exc;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new BottleException("cannot delete " + path + " (" + e + "); remove it by hand", e);
        }
    }

    /**
     * Hands a file or directory tree to another user (the bundle's, when the host runs as root and
     * the bundle must not): every entry gets the owner and group; modes stay as they are.
     *
     * @param path the file or directory
     * @param uid the owner
     * @param gid the group
     * @throws BottleException when an entry cannot be handed over
     */
    public static void handOver(Path path, int uid, int gid) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.toList()) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new BottleException("cannot hand " + path + " to uid " + uid + " (" + e + ")", e);
        }
    }

    /**
     * Returns the owner of a path as {@code uid:gid}.
     *
     * @param path the path
     * @return the owner, or null where the file system has no unix owners
     */
    public static @org.jspecify.annotations.Nullable String owner(Path path) {
        try {
            return Files.getAttribute(path, "unix:uid") + ":" + Files.getAttribute(path, "unix:gid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A file written into a directory that belongs to another user (one handed to the bundle) goes
     * to that user as well, so the bundle can read what the host writes for it there. Only root can
     * do this, and only root needs to; for anyone else it is a no-op.
     */
    private static void inheritOwner(@org.jspecify.annotations.Nullable Path dir, Path file) {
        if (dir == null) {
            return;
        }
        try {
            Object du = Files.getAttribute(dir, "unix:uid");
            if (!du.equals(Files.getAttribute(file, "unix:uid"))) {
                Files.setAttribute(file, "unix:uid", du);
                Files.setAttribute(file, "unix:gid", Files.getAttribute(dir, "unix:gid"));
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            // not root, or no unix owners here: the file keeps the writer's owner, as it always did
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void chmod(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (posix(p)) {
            Files.setPosixFilePermissions(p, mode);
        }
    }
}
