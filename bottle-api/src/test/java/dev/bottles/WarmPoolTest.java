package dev.bottles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import dev.bottles.testing.ScriptedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm pool's rules, on a scripted backend: who claims, who launches cold, what close and discard remove. */
class WarmPoolTest {
    @TempDir
    Path tmp;

    private final ScriptedBackend backend = new ScriptedBackend();

    {
        backend.warmKey = "same-images";
    }

    private static Manifest manifest() {
        return Manifest.builder()
                .bottle(BottleDefinition.builder("blank").build())
                .bottle(BottleDefinition.builder("dev").literal("MODE", "test").build())
                .agent(AgentDefinition.builder("template").bottle("blank").build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("be careful")
                        .build())
                .build();
    }

    private BottleSpec.Builder spec(String agent) {
        return BottleSpec.builder(agent)
                .manifest(manifest())
                .home(tmp.resolve("home"))
                .userCwd(tmp)
                .hostEnvironment(Map.of());
    }

    private BottleHome home() {
        return new BottleHome(tmp.resolve("home"));
    }

    private Set<String> states() throws Exception {
        Path root = home().root().resolve("state");
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (var dirs = Files.list(root)) {
            return new HashSet<>(dirs.map(d -> d.getFileName().toString()).toList());
        }
    }

    @Test
    void aMatchingSpecClaimsAMemberAndItsPreparedIntoItThenThePoolRefills() throws Exception {
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template").build(), 2)) {
            assertTrue(pool.awaitReady(2, Duration.ofSeconds(10)), String.valueOf(pool.lastFailure()));
            Set<String> members = states();
            assertEquals(2, members.size());

            PreparedBottle p = Bottles.using(backend).prepare(spec("coder").build());
            assertTrue(members.contains(p.identity()), p.identity() + " of " + members);
            StateDir state = home().state(p.identity());
            assertEquals("coder", state.readMetadata().orElseThrow().agentName(), "the bottle's own metadata");
            assertEquals("be careful", Files.readString(state.agentDir().resolve("prompt.txt")), "its own files");

            try (RunningBottle b = p.launch()) {
                assertTrue(backend.calls.contains("claimWarm " + p.identity()), backend.calls.toString());
                assertFalse(backend.calls.contains("launch " + p.identity()), "no cold launch");
                assertEquals(p.identity(), b.identity());
                assertTrue(pool.awaitReady(2, Duration.ofSeconds(15)), "refilled: " + pool.lastFailure());
            }
            assertFalse(backend.running.contains(p.identity()), "closed like any bottle");
        }
        assertTrue(backend.running.isEmpty(), "closing the pool removed its members: " + backend.running);
        assertEquals(
                Set.of(),
                states().stream().filter(s -> s.startsWith("warm-")).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void anotherKeyADetachedOrAResumedBottleLaunchesCold() throws Exception {
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template").build(), 1)) {
            assertTrue(pool.awaitReady(1, Duration.ofSeconds(10)));
            backend.warmKey = "other-images";
            PreparedBottle other = Bottles.using(backend).prepare(spec("coder").build());
            assertTrue(other.identity().startsWith("coder-"), other.identity());
            other.discard();
            backend.warmKey = "same-images";
            PreparedBottle detached =
                    Bottles.using(backend).prepare(spec("coder").detach(true).build());
            assertTrue(detached.identity().startsWith("coder-"), detached.identity());
            detached.discard();
            assertEquals(1, pool.ready(), "nothing claimed its member");
        }
    }

    @Test
    void concurrentPreparesNeverShareAMember() throws Exception {
        int threads = 16;
        ExecutorService pool16 = Executors.newFixedThreadPool(threads);
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template").build(), 4)) {
            assertTrue(pool.awaitReady(4, Duration.ofSeconds(10)));
            Set<String> members = states();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<String>> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ids.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return Bottles.using(backend)
                                    .prepare(spec("coder").build())
                                    .identity();
                        },
                        pool16));
            }
            go.countDown();
            List<String> got = ids.stream().map(CompletableFuture::join).toList();
            assertEquals(threads, new HashSet<>(got).size(), got.toString());
            assertEquals(4, got.stream().filter(members::contains).count(), got + " of " + members);
        } finally {
            pool16.shutdownNow();
        }
    }

    @Test
    void theFileSystemClaimHasExactlyOneWinner() throws Exception {
        StateDir s = home().state("warm-abcde").create();
        AtomicInteger won = new AtomicInteger();
        List<Thread> all = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 32; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (s.claimWarm()) {
                    won.incrementAndGet();
                }
            });
            t.start();
            all.add(t);
        }
        go.countDown();
        for (Thread t : all) {
            t.join();
        }
        assertEquals(1, won.get());
    }

    @Test
    void aFailedClaimLaunchesTheSamePlanColdAndDiscardRemovesAClaimedMember() throws Exception {
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template").build(), 2)) {
            assertTrue(pool.awaitReady(2, Duration.ofSeconds(10)));
            backend.failClaim = new BottleException("the member's bundle is gone");
            PreparedBottle p = Bottles.using(backend).prepare(spec("coder").build());
            try (RunningBottle b = p.launch()) {
                int claim = backend.calls.indexOf("claimWarm " + p.identity());
                int cold = backend.calls.indexOf("launch " + p.identity());
                assertTrue(claim >= 0 && cold > claim, backend.calls.toString());
                assertEquals(p.identity(), b.identity());
            }
            backend.failClaim = null;

            PreparedBottle dropped =
                    Bottles.using(backend).prepare(spec("coder").build());
            assertTrue(dropped.identity().startsWith("warm-"));
            dropped.discard();
            assertFalse(backend.running.contains(dropped.identity()), "the member's runtime went");
            assertFalse(home().state(dropped.identity()).exists(), "and its state");
        }
    }

    @Test
    void aBackendWithoutAWarmPoolAndAResumingTemplateAreRefused() {
        backend.warmKey = null;
        BottleException none = assertThrows(
                BottleException.class,
                () -> Bottles.using(backend).warmPool(spec("template").build(), 1));
        assertTrue(none.getMessage().contains("keeps no warm pool"), none.getMessage());
        backend.warmKey = "k";
        assertThrows(
                BottleException.class,
                () -> Bottles.using(backend)
                        .warmPool(spec("template").detach(true).build(), 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> Bottles.using(backend).warmPool(spec("template").build(), 0));
    }
}
