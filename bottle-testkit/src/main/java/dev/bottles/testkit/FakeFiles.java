package dev.bottles.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.SortedMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** The in-memory file tree behind {@link FakeBackend}'s {@code copyTo} and {@code copyFrom}. */
final class FakeFiles {
    private FakeFiles() {}

    static void unpack(byte[] tar, String dir, SortedMap<String, byte[]> tree) throws IOException {
        String base = dir.endsWith("/") ? dir : dir + "/";
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    tree.put(normalize(base + e.getName()), in.readAllBytes());
                }
            }
        }
    }

    static int pack(SortedMap<String, byte[]> tree, String parent, String name, OutputStream out, OutputStream err)
            throws IOException {
        String root = normalize((parent.endsWith("/") ? parent : parent + "/") + name);
        boolean any = false;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarArchiveOutputStream t = new TarArchiveOutputStream(bytes);
        t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (Map.Entry<String, byte[]> f : tree.entrySet()) {
            if (f.getKey().equals(root) || f.getKey().startsWith(root + "/")) {
                TarArchiveEntry e = new TarArchiveEntry(name + f.getKey().substring(root.length()));
                e.setSize(f.getValue().length);
                e.setMode(0100644);
                t.putArchiveEntry(e);
                t.write(f.getValue());
                t.closeArchiveEntry();
                any = true;
            }
        }
        t.finish();
        if (!any) {
            err.write(("tar: " + root + ": No such file or directory\n").getBytes(StandardCharsets.UTF_8));
            return 2;
        }
        out.write(bytes.toByteArray());
        out.flush();
        return 0;
    }

    private static String normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }
}
