package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.sidecars.SidecarBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A warm bundle waits, holding nothing, until the claim's file appears whole; then the claim's values win. */
class WarmStartTest {
    @TempDir
    Path dir;

    final List<String> events = new CopyOnWriteArrayList<>();
    final BundleLog log = (daemon, event, fields) -> events.add(event);

    @Test
    void waitsForTheClaimThenLayersItOverTheContainersEnvironment() throws Exception {
        Path claim = dir.resolve(SidecarBundle.AWAIT_FILE);
        Map<String, String> base =
                Map.of(SidecarBundle.AWAIT_ENV, claim.toString(), "EGRESS_LISTEN", "10.0.0.2", "HOME", "/tmp");
        CompletableFuture<Map<String, String>> started =
                CompletableFuture.supplyAsync(() -> WarmStart.await(claim, base, log));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (events.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the daemons' classes load first
        }
        Thread.sleep(200);
        assertFalse(started.isDone(), "no claim yet, so no start");
        assertEquals(List.of("bundle-warm"), events);

        Path tmp = dir.resolve(".claim.tmp");
        Files.writeString(tmp, "GITHUB_TOKEN=ghp_secret=with=equals\nEGRESS_LISTEN=10.0.0.9\n\n");
        long t0 = System.nanoTime();
        Files.move(tmp, claim, StandardCopyOption.ATOMIC_MOVE);
        Map<String, String> env = started.get(5, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertEquals("ghp_secret=with=equals", env.get("GITHUB_TOKEN"));
        assertEquals("10.0.0.9", env.get("EGRESS_LISTEN"), "the claim wins");
        assertEquals("/tmp", env.get("HOME"));
        assertFalse(env.containsKey(SidecarBundle.AWAIT_ENV), "a started bundle no longer waits");
        assertEquals(List.of("bundle-warm", "claimed"), events);
        assertTrue(ms < 1_000, "the claim is seen at once, not on a slow poll: " + ms + " ms");
    }

    @Test
    void aMalformedClaimFailsWithoutEchoingItsLine() throws Exception {
        Path claim = dir.resolve(SidecarBundle.AWAIT_FILE);
        Files.writeString(claim, "OK=1\nthis line holds ghp_secret\n");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> WarmStart.await(claim, Map.of(), log));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("ghp_secret"), e.getMessage());
    }
}
