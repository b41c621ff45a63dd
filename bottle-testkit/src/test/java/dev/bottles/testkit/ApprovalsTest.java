package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.ApprovalHandler;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import dev.bottles.state.ProposalQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's side of supervise on the fake backend: what users unit-test their handlers with. */
class ApprovalsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path home;

    private final FakeBackend fake = new FakeBackend();

    private BottleSpec.Builder spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .supervise(true)
                        .route(EgressRoute.to("api.github.com").withPaths("/repos/me/"))
                        .build())
                .agent(AgentDefinition.builder("coder").bottle("dev").build())
                .build();
        return BottleSpec.builder("coder").manifest(m).home(home).userCwd(home);
    }

    private List<JsonNode> audit() throws Exception {
        Path f = new BottleHome(home).auditDir().resolve("approvals.jsonl");
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(f).stream()
                .map(l -> {
                    try {
                        return json.readTree(l);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    @Test
    void anOperatorOutsideTheProgramDecidesOnceThroughTheQueueAndTheProgramAppliesAndAudits() throws Exception {
        BottleHome bh = new BottleHome(home);
        try (RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(ApprovalHandler.awaitingOperator(bh)).build())
                .launch()) {
            FakeBottlePlan plan = fake.plan(b.identity()).orElseThrow();
            Proposal p = fake.propose(b.identity(), EgressRoute.to("pypi.org"), "pip install");
            Thread.sleep(300);
            assertTrue(fake.awaitAnswer(p, Duration.ofMillis(200)).isEmpty(), "it waits for the operator");
            ProposalQueue q = new ProposalQueue(bh.queueDir(b.identity()));
            assertTrue(q.defersToOperator(), "the queue says an operator outside decides it");
            // two dashboards at once: exactly one decision stands
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Decision d = i % 2 == 0 ? Decision.approve() : Decision.reject("no " + i);
                tries.add(pool.submit(() -> q.decide(p.id(), d)));
            }
            int won = 0;
            for (var f : tries) {
                won += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertEquals(1, won, "one operator's decision stands");
            Decision recorded = q.decision(p.id()).orElseThrow();
            Decision answered = fake.awaitAnswer(p, WAIT).orElseThrow();
            assertEquals(recorded.verdict(), answered.verdict());
            assertEquals(
                    recorded.approved(),
                    plan.wouldAllow("https://pypi.org/simple/").allowed(),
                    "an approval is live before the agent hears");
            assertEquals(1, audit().size());
            assertFalse(q.decide(p.id(), Decision.approve()), "a decided proposal cannot be decided again");
        }
    }

    @Test
    void aProgramWithItsOwnHandlerKeepsDecidingItsBottle() throws Exception {
        try (RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(p -> CompletableFuture.completedFuture(Decision.reject("mine")))
                        .build())
                .launch()) {
            Proposal p = fake.propose(b.identity(), EgressRoute.to("pypi.org"), "pip install");
            assertEquals("mine", fake.awaitAnswer(p, WAIT).orElseThrow().reason());
            assertFalse(
                    new ProposalQueue(new BottleHome(home).queueDir(b.identity())).defersToOperator(),
                    "a dashboard leaves this bottle to its program");
        }
    }

    @Test
    void anApprovedRouteGoesLiveAndIsAudited() throws Exception {
        List<Proposal> seen = new CopyOnWriteArrayList<>();
        try (RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(p -> {
                            seen.add(p);
                            return CompletableFuture.completedFuture(Decision.approve());
                        })
                        .build())
                .launch()) {
            FakeBottlePlan plan = fake.plan(b.identity()).orElseThrow();
            assertFalse(plan.wouldAllow("https://pypi.org/simple/").allowed());
            Proposal p = fake.propose(b.identity(), EgressRoute.to("pypi.org"), "pip install");
            Decision d = fake.awaitAnswer(p, WAIT).orElseThrow();
            assertEquals(Decision.Verdict.APPROVED, d.verdict());
            assertTrue(plan.wouldAllow("https://pypi.org/simple/").allowed(), "the route is live");
            assertEquals(List.of(p), seen);
            JsonNode line = audit().get(0);
            assertEquals("egress-allow", line.get("tool").asText());
            assertEquals("approved", line.get("verdict").asText());
            assertEquals("pypi.org", line.get("host").asText());
            assertEquals("pip install", line.get("justification").asText());
            assertEquals(p.id(), line.get("applied_id").asText(), "applied as asked");
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(
                            new BottleHome(home).auditDir().resolve("approvals.jsonl"))));
        }
    }

    @Test
    void proposalsArriveOldestFirstAndARejectionChangesNothing() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Decision> first = new CompletableFuture<>();
        try (RunningBottle b = Bottles.using(fake).prepare(spec().build()).launch()) {
            Proposal a = fake.propose(b.identity(), EgressRoute.to("a.example"), "one");
            Thread.sleep(5);
            Proposal c = fake.propose(b.identity(), EgressRoute.to("c.example"), "two");
            b.onApproval(p -> {
                order.add(p.route().host());
                return p.route().host().equals("a.example")
                        ? first
                        : CompletableFuture.completedFuture(Decision.reject("not today"));
            });
            Thread.sleep(300);
            assertEquals(List.of("a.example"), order, "the second waits for the first decision");
            first.complete(Decision.reject("use the mirror"));
            assertEquals(
                    "use the mirror", fake.awaitAnswer(a, WAIT).orElseThrow().reason());
            assertEquals(
                    Decision.Verdict.REJECTED,
                    fake.awaitAnswer(c, WAIT).orElseThrow().verdict());
            assertEquals(List.of("a.example", "c.example"), order);
            assertFalse(fake.plan(b.identity())
                    .orElseThrow()
                    .wouldAllow("https://a.example/")
                    .allowed());
        }
    }

    @Test
    void aModifiedApprovalAppliesTheOperatorsVersion() throws Exception {
        try (RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(p -> CompletableFuture.completedFuture(Decision.approve(
                                EgressRoute.to("api.github.com").withPaths("/repos/me/other/"))))
                        .build())
                .launch()) {
            Proposal p = fake.propose(b.identity(), EgressRoute.to("api.github.com"), "all of github");
            assertEquals(
                    Decision.Verdict.APPROVED_MODIFIED,
                    fake.awaitAnswer(p, WAIT).orElseThrow().verdict());
            FakeBottlePlan plan = fake.plan(b.identity()).orElseThrow();
            assertTrue(
                    plan.wouldAllow("https://api.github.com/repos/me/other/x").allowed());
            assertTrue(plan.wouldAllow("https://api.github.com/repos/me/x").allowed(), "paths are unioned");
            assertFalse(plan.wouldAllow("https://api.github.com/users").allowed(), "not everything the agent asked");
        }
    }

    @Test
    void anApprovedDockerfileIsSavedTheStateKeptAndTheBottleTornDown() throws Exception {
        RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(p -> CompletableFuture.completedFuture(Decision.approve()))
                        .build())
                .launch();
        Proposal p = fake.proposeDockerfile(b.identity(), "FROM claude-bottle:latest\nRUN apk add jq\n", "needs jq");
        assertEquals(
                Decision.Verdict.APPROVED,
                fake.awaitAnswer(p, WAIT).orElseThrow().verdict());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fake.plan(b.identity()).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(fake.plan(b.identity()).isEmpty(), "torn down for resume to rebuild");
        Path state = new BottleHome(home).state(b.identity()).path();
        assertEquals("FROM claude-bottle:latest\nRUN apk add jq\n", Files.readString(state.resolve("Dockerfile")));
        assertTrue(Files.exists(state.resolve(".preserve")));
    }

    @Test
    void aHandlerThatFailsRejectsRatherThanLeavingTheAgentHanging() throws Exception {
        try (RunningBottle b = Bottles.using(fake)
                .prepare(spec().approvals(p -> CompletableFuture.failedFuture(new IllegalStateException("boom")))
                        .build())
                .launch()) {
            Proposal p = fake.propose(b.identity(), EgressRoute.to("x.example"), "x");
            Decision d = fake.awaitAnswer(p, WAIT).orElseThrow();
            assertEquals(Decision.Verdict.REJECTED, d.verdict());
            assertTrue(d.reason().contains("IllegalStateException"), d.reason());
        }
    }
}
