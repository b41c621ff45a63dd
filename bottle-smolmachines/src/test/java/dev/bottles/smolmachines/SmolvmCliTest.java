package dev.bottles.smolmachines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BackendCommandException;
import dev.bottles.smolmachines.internal.PackCache;
import dev.bottles.smolmachines.internal.SmolvmCli;
import dev.bottles.smolmachines.internal.SmolvmCli.Failure;
import dev.bottles.testkit.FakeSmolvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smolvm wrapper against the testkit's fake smolvm: argv, outputs, classification, timeouts. */
class SmolvmCliTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private FakeSmolvm fake;
    private SmolvmCli cli;

    @BeforeEach
    void install() {
        fake = FakeSmolvm.install(tmp.resolve("smolvm"));
        cli = SmolvmCli.of(fake.executable().toString());
    }

    @Test
    void versionDecidesTheHostAddress() {
        assertEquals("1.9.2", SmolmachinesBackend.version(cli));
        assertArrayEquals(new String[] {"100.96.0.1"}, new String[] {SmolmachinesBackend.hostAddress("1.9.2")[0]});
        fake.version("1.8.0");
        assertEquals("1.8.0", SmolmachinesBackend.version(cli));
        assertEquals("127.0.0.1", SmolmachinesBackend.hostAddress("1.8.0")[0]);
        assertEquals("100.96.0.1", SmolmachinesBackend.hostAddress("2.0.0")[0]);
        assertEquals(List.of(List.of("--version"), List.of("--version")), fake.invocations());
    }

    @Test
    void thePackCacheRunsPackCreateOnceAndNeverShowsAHalfWrittenEntry() throws Exception {
        Path cache = tmp.resolve("cache");
        Path sidecar = PackCache.ensure(cli, cache, "registry.example/agent:1");
        assertEquals(cache.resolve("registry.example_agent_1.smolmachine"), sidecar);
        assertTrue(Files.isRegularFile(sidecar) && Files.isRegularFile(cache.resolve("registry.example_agent_1")));
        assertEquals(sidecar, PackCache.ensure(cli, cache, "registry.example/agent:1"));
        List<List<String>> log = fake.invocations();
        assertEquals(1, log.size(), "the second call is a cache hit");
        assertEquals(
                List.of("pack", "create", "--image", "registry.example/agent:1", "-o"),
                log.get(0).subList(0, 5));
        assertTrue(log.get(0).get(5).contains("/.pack-"), "packed in a private temporary directory first");
        try (var s = Files.list(cache)) {
            assertEquals(2, s.count(), "no temporary directory is left");
        }

        fake.failNext("pack create", FakeSmolvm.Failure.pullImage("registry.example/missing:1"));
        BackendCommandException e = assertThrows(
                BackendCommandException.class, () -> PackCache.ensure(cli, cache, "registry.example/missing:1"));
        assertTrue(e.getMessage().contains("the image could not be pulled"), e.getMessage());
        assertTrue(Files.notExists(cache.resolve("registry.example_missing_1.smolmachine")));
    }

    @Test
    void everyDocumentedFailureIsClassified() {
        Path pack = PackCache.ensure(cli, tmp.resolve("c"), "a:1");
        List<String> create = List.of("machine", "create", "--name", "m1", "--from", pack.toString());
        cli.check(create, Map.of(), T);
        assertEquals(Failure.ALREADY_EXISTS, cli.run(create, Map.of(), T).failure());
        assertEquals(
                Failure.VM_NOT_FOUND,
                cli.run(List.of("machine", "start", "--name", "nope"), Map.of(), T)
                        .failure());
        assertEquals(
                Failure.NOT_RUNNING,
                cli.run(List.of("machine", "exec", "--name", "m1", "--", "true"), Map.of(), T)
                        .failure());
        assertEquals(
                Failure.USAGE,
                cli.run(List.of("machine", "exec", "-n", "m1", "--", "true"), Map.of(), T)
                        .failure());
        fake.failNext("machine start", FakeSmolvm.Failure.KVM_NOT_AVAILABLE)
                .failNext("machine start", FakeSmolvm.Failure.KVM_PERMISSION_DENIED)
                .failNext("machine start", FakeSmolvm.Failure.anotherProcessStarting("m1"));
        List<String> start = List.of("machine", "start", "--name", "m1");
        assertEquals(Failure.KVM_NOT_AVAILABLE, cli.run(start, Map.of(), T).failure());
        assertEquals(Failure.KVM_PERMISSION_DENIED, cli.run(start, Map.of(), T).failure());
        assertEquals(Failure.ALREADY_STARTING, cli.run(start, Map.of(), T).failure());
        BackendCommandException e = assertThrows(
                BackendCommandException.class,
                () -> cli.check(List.of("machine", "start", "--name", "ghost"), Map.of(), T));
        assertEquals(1, e.exitCode());
        assertEquals("Error: vm not found: ghost", e.stderrTail());
        assertTrue(e.getMessage().contains("clean up with Bottles.cleanup"), e.getMessage());
        assertEquals(Failure.OTHER, Failure.of(1, "Error: something new"));
    }

    @Test
    void aCallPastItsTimeoutIsDestroyed() {
        Path pack = PackCache.ensure(cli, tmp.resolve("c"), "a:1");
        cli.check(List.of("machine", "create", "--name", "slow", "--from", pack.toString()), Map.of(), T);
        cli.check(List.of("machine", "start", "--name", "slow"), Map.of(), T);
        long t0 = System.nanoTime();
        BackendCommandException e = assertThrows(
                BackendCommandException.class,
                () -> cli.run(
                        List.of("machine", "exec", "--name", "slow", "--", "sleep", "30"),
                        Map.of(),
                        Duration.ofSeconds(3)));
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L);
        assertEquals(-1, e.exitCode());
        assertTrue(e.getMessage().contains("did not finish within 3 s"), e.getMessage());
        assertEquals(Failure.OTHER, Failure.of(0, ""));
    }

    @Test
    void aMissingBinaryIsAClearFailure() {
        BackendCommandException e = assertThrows(
                BackendCommandException.class,
                () -> SmolvmCli.of(tmp.resolve("no-smolvm").toString()).run(List.of("--version"), Map.of(), T));
        assertTrue(e.getMessage().contains("install smolvm or point SMOLVM at it"), e.getMessage());
    }
}
