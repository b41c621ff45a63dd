package dev.bottles.smolmachines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.spi.BottleBackend;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * A user who adds only bottle-smolmachines gets the smolmachines backend and no other: the docker
 * backend must not come with it (it would win whenever an engine answers). The class path is the
 * one Maven resolves for this module's runtime scope, loaded apart from the test's own.
 */
class SmolmachinesAloneTest {
    @Test
    void aSmolmachinesOnlyClassPathDiscoversOnlySmolmachines() throws Exception {
        Path listing = Path.of("target", "runtime-classpath.txt");
        assertTrue(Files.isRegularFile(listing), "the build writes " + listing + " (maven-dependency-plugin)");
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of("target", "classes").toUri().toURL());
        String entries = Files.readString(listing).trim();
        for (String entry : entries.split(File.pathSeparator)) {
            assertFalse(
                    entry.contains("bottle-docker" + File.separator) || entry.matches(".*bottle-docker-[0-9].*"),
                    "the docker backend is on a smolmachines-only class path: " + entry);
            urls.add(Path.of(entry).toUri().toURL());
        }
        assertTrue(entries.contains("bottle-docker-engine"), "the shared engine module comes with it");
        try (URLClassLoader alone =
                new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> spi = alone.loadClass(BottleBackend.class.getName());
            List<String> ids = new ArrayList<>();
            for (Object backend : ServiceLoader.load(spi, alone)) {
                ids.add((String) spi.getMethod("id").invoke(backend));
            }
            assertEquals(List.of("smolmachines"), ids);
        }
    }
}
