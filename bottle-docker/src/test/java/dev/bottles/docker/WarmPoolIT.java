package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.WarmPool;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerBundles;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.EnvValue;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.spi.Settings;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool on the real engine with the SDK's bundle: a claim is the spec's bottle (its
 * routes, secrets, environment and files, none of the template's), comes up fast, is never
 * handed to two prepares, falls back to a cold launch when its member broke, and the pool leaves
 * nothing behind when closed. The escape suite runs on a claimed bottle in
 * {@link DockerWarmSandboxEscapeIT}; the reaping of a killed pool owner is in {@link ReaperIT}.
 */
class WarmPoolIT {
    private static final String SECRET = "tok-warm-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path home;

    private final DockerBackend backend = new DockerBackend();

    @BeforeAll
    static void images() {
        TestImages.requireEngine();
        TestImages.agent();
        TestImages.removeAtExitIfNew(BundleImages.describe(TestImages.engine(), new Settings(Map.of(), Map.of()))
                .reference());
    }

    static Manifest manifest() {
        return Manifest.builder()
                .bottle(BottleDefinition.builder("blank").build())
                .bottle(BottleDefinition.builder("routed")
                        .route(EgressRoute.to("api.example.test").withAuth(RouteAuth.bearer("WARM_TOKEN")))
                        .env("GREETING", EnvValue.parse("hello from the spec"))
                        .build())
                .agent(AgentDefinition.builder("template").bottle("blank").build())
                .agent(AgentDefinition.builder("worker")
                        .bottle("routed")
                        .prompt("the worker's own prompt")
                        .build())
                .build();
    }

    private BottleSpec spec(String agent) {
        return BottleSpec.builder(agent)
                .manifest(manifest())
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("WARM_TOKEN", SECRET))
                .setting(DockerSettings.IMAGE, TestImages.agent())
                .listener(e -> {
                    if (agent.equals("worker")) {
                        System.out.println("step " + e.identity() + " " + e.step() + " "
                                + e.duration().toMillis() + " ms");
                    }
                })
                .build();
    }

    private Set<String> warmStates() throws Exception {
        try (var dirs = Files.list(new BottleHome(home).root().resolve("state"))) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.startsWith("warm-"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void aClaimIsTheSpecsBottleNotTheTemplatesAndThePoolRefills() throws Exception {
        Set<String> members;
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template"), 2)) {
            assertTrue(pool.awaitReady(2, Duration.ofMinutes(4)), "pool filled: " + pool.lastFailure());
            members = warmStates();
            assertEquals(2, members.size(), members.toString());

            PreparedBottle p = Bottles.using(backend).prepare(spec("worker"));
            assertTrue(members.contains(p.identity()), "prepare claimed a member: " + p.identity());
            long t0 = System.nanoTime();
            RunningBottle b = p.launch();
            ExecResult first = b.exec(
                    "sh",
                    "-c",
                    "echo \"$GREETING|$HTTPS_PROXY\"; cat /home/node/.claude-bottle/prompt.txt; echo; stat -c '%u %a' /home/node/.claude-bottle/prompt.txt");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("warm launch to first exec: " + ms + " ms");
            System.out.println(TestImages.engine().logTail(DockerBundles.bundleContainerName(b.identity()), 12));
            try (b) {
                assertEquals(0, first.exitCode(), first.stderr());
                String[] lines = first.stdout().split("\n");
                assertTrue(lines[0].startsWith("hello from the spec|http://"), first.stdout());
                assertTrue(lines[0].contains(":8080"), "the agent's proxy is its bundle's egress: " + first.stdout());
                assertEquals("the worker's own prompt", lines[1].strip());
                assertEquals("1000 600", lines[2].strip(), "the agent's files are the agent's, private");

                // the secret went to the bundle, never into the agent, and no claim file stays behind
                ExecResult env = b.exec("sh", "-c", "env; cat /proc/1/environ | tr '\\0' '\\n'");
                assertFalse(env.stdout().contains(SECRET), "the route token never reaches the agent");
                StateDir state = new BottleHome(home).state(b.identity());
                assertFalse(Files.exists(state.egressDir().resolve(SidecarBundle.AWAIT_FILE)));
                assertTrue(
                        TestImages.engine()
                                .logTail(DockerBundles.bundleContainerName(b.identity()), 50)
                                .contains("\"bundle-ready\""),
                        "the bundle started its daemons for the claim");
                assertTrue(pool.awaitReady(2, Duration.ofMinutes(3)), "the pool refilled: " + pool.lastFailure());
            }
            assertEquals(Set.of(), TestImages.labelled(b.identity()), "a claimed bottle closes like any other");
        }
        for (String m : warmStates()) {
            assertEquals(Set.of(), TestImages.labelled(m), "closing the pool removed member " + m);
        }
        assertEquals(Set.of(), warmStates(), "and their state");
    }

    @Test
    void concurrentPreparesNeverShareAMemberAndTheRestLaunchCold() throws Exception {
        int claimers = 6;
        List<RunningBottle> bottles = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(claimers);
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template"), 3)) {
            assertTrue(pool.awaitReady(3, Duration.ofMinutes(4)), "pool filled: " + pool.lastFailure());
            Set<String> members = warmStates();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<PreparedBottle>> prepared = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                prepared.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return Bottles.using(backend).prepare(spec("worker"));
                        },
                        threads));
            }
            go.countDown();
            List<String> ids = prepared.stream()
                    .map(CompletableFuture::join)
                    .map(PreparedBottle::identity)
                    .toList();
            assertEquals(claimers, new HashSet<>(ids).size(), "every prepare got its own bottle: " + ids);
            long claimed = ids.stream().filter(members::contains).count();
            assertEquals(3, claimed, "the three ready members went to three prepares: " + ids + " of " + members);

            List<CompletableFuture<Void>> launched = new ArrayList<>();
            for (CompletableFuture<PreparedBottle> p : prepared) {
                launched.add(
                        CompletableFuture.runAsync(() -> bottles.add(p.join().launch()), threads));
            }
            launched.forEach(CompletableFuture::join);
            Set<String> hosts = new HashSet<>();
            for (RunningBottle b : bottles) {
                ExecResult r = b.exec("sh", "-c", "echo \"$GREETING\"; hostname");
                assertEquals(0, r.exitCode(), r.stderr());
                assertTrue(r.stdout().startsWith("hello from the spec\n"), b.identity() + ": " + r.stdout());
                hosts.add(r.stdout().split("\n")[1]);
            }
            assertEquals(claimers, hosts.size(), "six bottles, six agent containers: " + hosts);
        } finally {
            bottles.forEach(RunningBottle::close);
            threads.shutdownNow();
        }
    }

    @Test
    void aMemberBrokenBehindThePoolsBackIsLaunchedColdInstead() throws Exception {
        try (WarmPool pool = Bottles.using(backend).warmPool(spec("template"), 1)) {
            assertTrue(pool.awaitReady(1, Duration.ofMinutes(4)), "pool filled: " + pool.lastFailure());
            String member = warmStates().iterator().next();
            TestImages.engine().removeContainer(DockerBundles.bundleContainerName(member));

            PreparedBottle p = Bottles.using(backend).prepare(spec("worker"));
            assertEquals(member, p.identity());
            try (RunningBottle b = p.launch()) {
                ExecResult r = b.exec("sh", "-c", "echo \"$GREETING\"; cat /home/node/.claude-bottle/prompt.txt");
                assertEquals(0, r.exitCode(), r.stderr());
                assertEquals(
                        "hello from the spec\nthe worker's own prompt",
                        r.stdout().strip());
                assertNotEquals(
                        "",
                        TestImages.engine().logTail(DockerBundles.bundleContainerName(member), 50),
                        "a new bundle runs");
            }
            assertEquals(Set.of(), TestImages.labelled(member));
        }
    }
}
