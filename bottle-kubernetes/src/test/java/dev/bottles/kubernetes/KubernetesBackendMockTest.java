package dev.bottles.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleLaunchException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend's flows against fabric8's mock API server with a scripted kubelet ({@link FakeCluster}):
 * what is created, in which order, what is removed, what a failure leaves, and that no secret value
 * ever travels in a request line (which the API server may audit). Exec semantics against a real
 * container are {@code KubernetesBackendContractIT}'s.
 */
class KubernetesBackendMockTest {
    static final String NS = "bottles";
    static final String TOKEN = "tok-0c9e1f7a2b3d4e5f";
    static final String FORWARDED = "fwd-value-77aa1e";

    @TempDir
    Path home;

    FakeCluster cluster;
    ScriptedExecs execs;
    KubernetesBackend backend;

    @BeforeEach
    void up() {
        cluster = new FakeCluster().initialised(NS);
        execs = new ScriptedExecs(call -> {
            if (call.argv().contains("routes")) {
                // the bundle reloads what was pushed and says so in its log, as egress does
                cluster.logs.merge(
                        call.pod(),
                        "{\"event\":\"routes-reloaded\",\"sha256\":\""
                                + sha256(call.stdin()).substring(0, 16) + "\"}\n",
                        String::concat);
            }
            return 0;
        });
        cluster.execs = execs;
        backend = new KubernetesBackend(cluster.client());
    }

    @AfterEach
    void down() {
        cluster.close();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    BottleSpec.Builder spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("k")
                        .literal("MODE", "mock")
                        .fromHost("FORWARDED_ONE", "HOST_FORWARDED")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("ROUTE_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("worker")
                        .bottle("k")
                        .prompt("hello")
                        .build())
                .build();
        return BottleSpec.builder("worker")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("ROUTE_TOKEN", TOKEN, "HOST_FORWARDED", FORWARDED))
                .setting(KubernetesSettings.IMAGE, "registry.example/agent@sha256:" + "a".repeat(64))
                .setting(KubernetesSettings.BUNDLE_IMAGE, "registry.example/bundle@sha256:" + "b".repeat(64));
    }

    List<HasMetadata> labelled(String identity) {
        return FakeCluster.labelled(cluster.client(), NS, identity);
    }

    @Test
    void launchCreatesTheFencedPairOwnedByTheAnchorAndCloseRemovesAll() {
        RunningBottle b = Bottles.using(backend).prepare(spec().build()).launch();
        String id = b.identity();
        List<HasMetadata> objects = labelled(id);
        assertEquals(
                List.of("Pod", "Pod", "NetworkPolicy", "NetworkPolicy", "Secret", "ConfigMap"),
                objects.stream().map(HasMetadata::getKind).toList());
        String anchorUid = objects.stream()
                .filter(o -> Names.ANCHOR.equals(o.getMetadata().getLabels().get(Names.ROLE)))
                .findFirst()
                .orElseThrow()
                .getMetadata()
                .getUid();
        for (HasMetadata o : objects) {
            assertEquals(
                    "kubernetes",
                    o.getMetadata().getLabels().get(Names.BACKEND),
                    o.getMetadata().getName());
            if (!Names.ANCHOR.equals(o.getMetadata().getLabels().get(Names.ROLE))) {
                assertEquals(
                        anchorUid,
                        o.getMetadata().getOwnerReferences().get(0).getUid(),
                        o.getMetadata().getName());
            }
        }
        assertTrue(backend.list().stream()
                .anyMatch(s -> s.identity().equals(id) && s.status().equals("running")));
        // the agent got its environment and the CA over stdin, the bundle's address in HTTPS_PROXY
        ScriptedExecs.Call provision = execs.calls.stream()
                .filter(c -> c.argv().contains("bottle-provision"))
                .findFirst()
                .orElseThrow();
        String env = new String(provision.stdin(), StandardCharsets.UTF_8);
        Pod bundle = cluster.client()
                .pods()
                .inNamespace(NS)
                .withName(Names.bundlePod(id))
                .get();
        assertTrue(env.contains("@" + bundle.getStatus().getPodIP() + ":8080\n"), env);
        assertTrue(env.contains("MODE=mock\n"), env);
        assertFalse(env.contains(TOKEN), "a route token never enters the agent");
        assertTrue(env.contains("-----BEGIN CERTIFICATE-----"), "the egress CA follows the env file");
        b.close();
        b.close();
        assertEquals(List.of(), labelled(id));
        assertFalse(backend.list().stream().anyMatch(s -> s.identity().equals(id)));
    }

    @Test
    void noSecretValueEverTravelsInARequestLineAndForwardedValuesGoOverStdin() {
        RunningBottle b = Bottles.using(backend).prepare(spec().build()).launch();
        b.exec("printenv", "FORWARDED_ONE");
        Secret s = cluster.client()
                .secrets()
                .inNamespace(NS)
                .withName(Names.anchor(b.identity()))
                .get();
        String access = new String(
                java.util.Base64.getDecoder().decode(s.getData().get("env." + dev.bottles.sidecars.BundleAccess.ENV)),
                StandardCharsets.UTF_8);
        for (String request : cluster.requests) {
            String decoded = java.net.URLDecoder.decode(request, StandardCharsets.UTF_8);
            for (String secret : List.of(TOKEN, FORWARDED, access)) {
                assertFalse(decoded.contains(secret), "a secret value in a request line: " + decoded);
            }
        }
        ScriptedExecs.Call printenv = execs.calls.stream()
                .filter(c -> c.argv().contains("printenv"))
                .findFirst()
                .orElseThrow();
        assertEquals("FORWARDED_ONE=" + FORWARDED + "\n", printenv.header());
        b.close();
    }

    @Test
    void aPodThatCannotPullItsImageFailsTheLaunchNamingTheStepAndLeavesNothing() {
        cluster.kubelet = (pod, client) -> {
            if (pod.getMetadata().getName().endsWith("-bundle")) {
                FakeCluster.status(client, pod, "", false, "ImagePullBackOff");
            } else {
                FakeCluster.ready(pod, client);
            }
        };
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());
        BottleLaunchException e = assertThrows(BottleLaunchException.class, p::launch);
        assertEquals("await-bundle", e.step());
        assertTrue(
                e.getMessage().contains("ImagePullBackOff") && e.getMessage().contains("docs/kubernetes.md"),
                e.getMessage());
        assertEquals(List.of(), labelled(p.identity()));
    }

    @Test
    void anApprovedRouteIsPushedIntoTheBundleAndConfirmedFromItsLog() {
        PreparedBottle p = Bottles.using(backend).prepare(spec().build());
        BackendBottle b = backend.launch(p.plan(), BottleEvents.silent(p.identity(), "kubernetes"));
        try {
            b.allowRoute(EgressRoute.to("pypi.org"));
            ScriptedExecs.Call push = execs.calls.stream()
                    .filter(c -> c.argv().contains("routes"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(Names.bundlePod(p.identity()), push.pod());
            assertTrue(new String(push.stdin(), StandardCharsets.UTF_8).contains("pypi.org"));
            cluster.execs = new ScriptedExecs(c -> 0); // a bundle that never confirms
            dev.bottles.BottleException e =
                    assertThrows(dev.bottles.BottleException.class, () -> b.allowRoute(EgressRoute.to("npmjs.org")));
            assertTrue(e.getMessage().contains("did not confirm"), e.getMessage());
        } finally {
            b.close();
            p.discard();
        }
    }

    @Test
    void cleanupRemovesWhatADeadOwnerLeftButNeverALiveBottle() {
        RunningBottle live = Bottles.using(backend).prepare(spec().build()).launch();
        // a crashed launch's leftovers: no anchor, an owner that is long gone
        cluster.client()
                .configMaps()
                .inNamespace(NS)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("bottle-ghost-aaaaa-leftover")
                        .addToLabels(Names.IDENTITY, "ghost-aaaaa")
                        .addToLabels(Names.BACKEND, "kubernetes")
                        .addToLabels(Names.ROLE, "secrets")
                        .addToAnnotations(Names.OWNER, dev.bottles.state.Owner.localHost() + "/999999999/1")
                        .endMetadata()
                        .build())
                .create();
        CleanupReport dry = backend.cleanup(CleanupRequest.reportOnly());
        assertTrue(dry.removed().stream().anyMatch(r -> r.contains("ghost-aaaaa")), dry.toString());
        assertEquals(1, labelled("ghost-aaaaa").size(), "a dry run removes nothing");
        CleanupReport report = backend.cleanup(CleanupRequest.remove());
        assertTrue(report.removed().stream().anyMatch(r -> r.contains("ghost-aaaaa")), report.toString());
        assertFalse(report.removed().stream().anyMatch(r -> r.contains(live.identity())), report.toString());
        assertEquals(List.of(), labelled("ghost-aaaaa"));
        assertEquals(6, labelled(live.identity()).size(), "the live bottle keeps everything");
        live.close();
    }

    @Test
    void prepareRefusesWhatACusterCannotDoWithTheFix() {
        Exception noImage = assertThrows(
                dev.bottles.BottleException.class,
                () -> Bottles.using(backend)
                        .prepare(spec().setting(KubernetesSettings.IMAGE, "").build()));
        assertTrue(noImage.getMessage().contains("docs/kubernetes.md"), noImage.getMessage());
        assertNotNull(backend.probe());
    }
}
