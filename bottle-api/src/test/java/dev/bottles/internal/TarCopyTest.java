package dev.bottles.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive check before copyTo unpacks anything. */
class TarCopyTest {
    @TempDir
    Path tmp;

    private Path tar(TarArchiveEntry... entries) throws Exception {
        Path f = tmp.resolve("t" + System.nanoTime() + ".tar");
        try (OutputStream os = Files.newOutputStream(f);
                TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (TarArchiveEntry e : entries) {
                out.putArchiveEntry(e);
                if (e.isFile()) {
                    out.write(new byte[(int) e.getSize()]);
                }
                out.closeArchiveEntry();
            }
        }
        return f;
    }

    private static TarArchiveEntry file(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(3);
        return e;
    }

    private static TarArchiveEntry link(String name, String target, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        return e;
    }

    @Test
    void ordinaryTreesPass() throws Exception {
        assertDoesNotThrow(() -> TarCopy.check(tar(
                new TarArchiveEntry("a/", true),
                file("a/b.txt"),
                file("./c"),
                file("a/./d/../e"),
                link("a/l", "b.txt", TarArchiveEntry.LF_SYMLINK),
                link("a/up", "../c", TarArchiveEntry.LF_SYMLINK),
                link("a/h", "a/b.txt", TarArchiveEntry.LF_LINK),
                file("a/" + "x".repeat(300)))));
    }

    @Test
    void everyWayOutIsRefusedByName() throws Exception {
        for (TarArchiveEntry bad : new TarArchiveEntry[] {
            file("/etc/passwd"),
            file("../x"),
            file("a/../../x"),
            file("a/b/../../../x"),
            link("l", "/etc", TarArchiveEntry.LF_SYMLINK),
            link("a/l", "../../etc", TarArchiveEntry.LF_SYMLINK),
            link("h", "../outside", TarArchiveEntry.LF_LINK),
            link("h", "/etc/shadow", TarArchiveEntry.LF_LINK),
            new TarArchiveEntry("dev0", TarArchiveEntry.LF_CHR, true),
            new TarArchiveEntry("fifo", TarArchiveEntry.LF_FIFO, true)
        }) {
            Path t = tar(file("fine.txt"), bad);
            BottleException e = assertThrows(BottleException.class, () -> TarCopy.check(t), bad.getName());
            assertTrue(
                    e.getMessage().contains("'" + bad.getName() + "'")
                            && e.getMessage().contains("nothing was"),
                    e.getMessage());
        }
    }

    @Test
    void anEntryThroughALinkTheArchiveMadeIsRefused() throws Exception {
        Path t = tar(link("d", ".", TarArchiveEntry.LF_SYMLINK), file("d/x"));
        BottleException e = assertThrows(BottleException.class, () -> TarCopy.check(t));
        assertTrue(e.getMessage().contains("under the link"), e.getMessage());
    }

    @Test
    void pathsInTheBottleMustBeAbsoluteWithoutClimbing() {
        for (String bad : new String[] {"workspace", "/workspace/../etc", "/a/..", "/a\0b"}) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> TarCopy.outOf(null, bad, OutputStream.nullOutputStream()),
                    bad);
        }
    }
}
