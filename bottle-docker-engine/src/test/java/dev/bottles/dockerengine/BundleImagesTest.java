package dev.bottles.dockerengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.sidecars.BundleImage;
import dev.bottles.sidecars.Daemon;
import dev.bottles.spi.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The SDK's bundle image recipes and the offline recipe's Java runtime, without an engine. */
class BundleImagesTest {
    @Test
    void theOfflineRecipeNeedsNoRegistryAndTheJreRecipeNamesItsBase() {
        String offline = BundleImages.dockerfile(BundleImages.Recipe.OFFLINE, new Settings(Map.of(), Map.of()));
        assertTrue(offline.startsWith("FROM scratch\nCOPY rootfs/ /\n"), offline);
        assertTrue(offline.contains("\"/opt/java/bin/java\""), offline);
        assertTrue(offline.contains(BundleImages.JAR_IN_IMAGE), offline);
        String jre = BundleImages.dockerfile(BundleImages.Recipe.JRE, new Settings(Map.of(), Map.of()));
        assertTrue(jre.startsWith("FROM eclipse-temurin:17-jre\n"), jre);
        String mine = BundleImages.dockerfile(
                BundleImages.Recipe.JRE,
                new Settings(Map.of(BundleImages.JRE_BASE_SETTING, "registry.corp/jre:17"), Map.of()));
        assertTrue(mine.startsWith("FROM registry.corp/jre:17\n"), mine);
    }

    @Test
    void theSdkImageIsTaggedByContentAndListsThePackagedDaemons() {
        BundleImage a = BundleImages.describe(null, new Settings(Map.of(), Map.of()));
        BundleImage b = BundleImages.describe(null, new Settings(Map.of(), Map.of()));
        assertEquals(a, b, "the same inputs give the same tag");
        assertTrue(a.reference().matches("claude-bottle-sidecars:[0-9a-f]{12}"), a.reference());
        assertEquals(List.of(Daemon.EGRESS, Daemon.GIT_GATE, Daemon.SUPERVISE), a.daemons());
        BundleImage jre =
                BundleImages.describe(null, new Settings(Map.of(BundleImages.RECIPE_SETTING, "jre"), Map.of()));
        assertTrue(!jre.reference().equals(a.reference()), "another recipe is another image");
    }

    @Test
    void anUnknownRecipeIsRefusedWithTheChoices() {
        BottleException e = assertThrows(
                BottleException.class,
                () -> BundleImages.describe(
                        null, new Settings(Map.of(BundleImages.RECIPE_SETTING, "alpine"), Map.of())));
        assertEquals(BundleImages.RECIPE_SETTING + "=alpine is not a recipe; use offline or jre", e.getMessage());
    }

    @Test
    void theJlinkedRuntimeRunsAndItsLibrariesAreFound() throws Exception {
        JavaRuntime rt = new JavaRuntime(List.of("java.base"));
        Path home = rt.runtime(line -> {});
        Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "-version")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, Path> libs = JavaRuntime.sharedLibraries(home);
        assertTrue(libs.keySet().stream().anyMatch(l -> l.endsWith("/libc.so.6")), libs.toString());
        assertTrue(libs.keySet().stream().anyMatch(l -> l.contains("ld-linux")), "the loader too: " + libs);
        assertTrue(libs.values().stream().allMatch(Files::exists));
        assertTrue(Files.size(home.resolve("lib/security/cacerts")) > 0, "a trust store for upstream TLS");
    }
}
