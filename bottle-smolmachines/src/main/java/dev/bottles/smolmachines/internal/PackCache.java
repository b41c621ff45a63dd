package dev.bottles.smolmachines.internal;

import dev.bottles.BottleException;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code .smolmachine} cache, keyed by image reference. {@code pack create} writes into a
 * private temporary directory; the stub and then the sidecar are renamed into place, so a
 * half-written entry is never seen as present (the sidecar is the commit marker).
 */
public final class PackCache {
    private static final Duration PACK_TIMEOUT = Duration.ofMinutes(20);

    private PackCache() {}

    /**
     * Returns the sidecar for an image, packing it first when the cache lacks it.
     *
     * @param cli the smolvm wrapper
     * @param cacheDir the cache directory
     * @param image the image reference
     * @return the {@code .smolmachine} sidecar
     */
    public static Path ensure(SmolvmCli cli, Path cacheDir, String image) {
        String key = image.replaceAll("[^A-Za-z0-9._-]", "_");
        Path stub = cacheDir.resolve(key);
        Path sidecar = cacheDir.resolve(key + ".smolmachine");
        if (Files.isRegularFile(sidecar)) {
            return sidecar;
        }
        SecureFiles.createPrivateDirectories(cacheDir);
        Path tmp;
        try {
            tmp = Files.createTempDirectory(cacheDir, ".pack-");
        } catch (IOException e) {
            throw new BottleException("cannot write the smolmachine cache " + cacheDir + " (" + e + ")", e);
        }
        try {
            Path out = tmp.resolve("agent");
            cli.check(List.of("pack", "create", "--image", image, "-o", out.toString()), Map.of(), PACK_TIMEOUT);
            move(out, stub);
            move(Path.of(out + ".smolmachine"), sidecar);
            return sidecar;
        } finally {
            SecureFiles.deleteRecursively(tmp);
        }
    }

    private static void move(Path from, Path to) {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BottleException("cannot move " + from + " into the smolmachine cache (" + e + ")", e);
        }
    }
}
