package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle's PID 1: readiness after every daemon answers, fail-closed on a daemon it lacks, orderly stop. */
class BundleMainTest {
    @TempDir
    Path dir;

    final List<String> events = new CopyOnWriteArrayList<>();
    final BundleLog log = (daemon, event, fields) -> events.add(daemon + ":" + event + " " + fields);

    private Map<String, String> env(String daemons) throws Exception {
        CertificateAuthority.mint("ca", Clock.systemUTC()).writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        Files.writeString(
                dir.resolve("routes.yaml"), new EgressConfig(List.of(), List.of(EgressRoute.to("a.test"))).render("b"));
        return Map.of(
                "CLAUDE_BOTTLE_SIDECAR_DAEMONS",
                daemons,
                "EGRESS_DIR",
                dir.toString(),
                "EGRESS_LISTEN",
                "127.0.0.1",
                "EGRESS_PORT",
                "0");
    }

    @Test
    void reportsReadyOnceEgressListensAndStopsWhenTold() throws Exception {
        Map<String, String> env = env("egress");
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(BundleMain.run(env, log, stop, false)));
        t.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (events.stream().noneMatch(e -> e.startsWith("bundle:bundle-ready")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int ready = indexOf("bundle:bundle-ready");
        assertTrue(ready > indexOf("egress:ready"), "ready only after egress listens: " + events);
        stop.countDown();
        t.join(10_000);
        assertEquals(0, code.get());
        assertTrue(events.get(events.size() - 1).startsWith("bundle:stopped"), events.toString());
    }

    @Test
    void aDaemonWhoseConfigIsMissingFailsTheStartClosed() throws Exception {
        Map<String, String> env = new HashMap<>(env("egress,git-gate"));
        env.put("GIT_GATE_DIR", dir.resolve("no-git-gate").toString());
        int code = BundleMain.run(env, log, new CountDownLatch(0), false);
        assertEquals(2, code);
        assertTrue(
                events.stream().anyMatch(e -> e.startsWith("bundle:start-failed") && e.contains("upstreams.json")),
                events.toString());
        assertTrue(events.stream().noneMatch(e -> e.startsWith("bundle:bundle-ready")));
    }

    @Test
    void pipelockWithoutItsBinaryFailsTheStartRatherThanEgressGoingDirect() throws Exception {
        int code = BundleMain.run(env("egress,pipelock"), log, new CountDownLatch(0), false);
        assertEquals(2, code);
        assertTrue(
                events.stream().anyMatch(e -> e.contains("pipelock is not in this bundle image")), events.toString());
    }

    @Test
    void anUnknownDaemonNameIsRefused() throws Exception {
        assertEquals(2, BundleMain.run(env("egress,telnet"), log, new CountDownLatch(0), false));
        assertTrue(events.get(0).contains("unknown sidecar daemon 'telnet'"), events.toString());
    }

    private int indexOf(String prefix) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
