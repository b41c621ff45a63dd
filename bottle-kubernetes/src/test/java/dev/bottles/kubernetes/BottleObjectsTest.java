package dev.bottles.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.kubernetes.internal.BottleObjects;
import dev.bottles.kubernetes.internal.Names;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.Daemon;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security invariants of a bottle's cluster objects, over many random bottles (a property test
 * with a fixed seed, so a failure repeats): no secret value outside the bundle's Secret; the agent has
 * no token, no service links, no DNS, no capability, no host namespace and no egress but its own
 * bundle's agent-facing ports; the bundle admits only its own agent and dials no private range; both
 * pods meet the {@code restricted} Pod Security Standard; every object is labelled and owned by the
 * anchor.
 */
class BottleObjectsTest {
    @TempDir
    Path home;

    record Case(KubernetesBottlePlan plan, List<String> secrets) {}

    private static String word(Random r, int n) {
        String abc = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(abc.charAt(r.nextInt(abc.length())));
        }
        return sb.toString();
    }

    private Case randomBottle(Random r, int i) throws Exception {
        BottleDefinition.Builder b = BottleDefinition.builder("b" + i);
        Map<String, String> host = new HashMap<>();
        List<String> secrets = new ArrayList<>();
        int routes = 1 + r.nextInt(4);
        for (int k = 0; k < routes; k++) {
            String ref = "TOKEN_" + k;
            // values with the characters a shell or YAML would care about
            String value = "s3cr3t-" + word(r, 12) + (r.nextBoolean() ? "$HOME 'q' \"x\"" : "");
            host.put(ref, value);
            secrets.add(value);
            b.route(EgressRoute.to("api" + k + ".example.com").withAuth(RouteAuth.bearer(ref)));
        }
        int forwarded = r.nextInt(3);
        for (int k = 0; k < forwarded; k++) {
            String value = "fwd-" + word(r, 16);
            host.put("HOST_F" + k, value);
            secrets.add(value);
            b.fromHost("F" + k, "HOST_F" + k);
        }
        b.literal("LIT", word(r, 5));
        if (r.nextBoolean()) {
            Path key = Files.createTempFile(home, "id_", "");
            Files.writeString(
                    key,
                    "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-" + word(r, 20) + "\n-----END"
                            + " OPENSSH PRIVATE KEY-----\n");
            Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            b.git(new GitRemote(
                    "origin",
                    new GitUpstream("git", "git" + i + ".example.com", 22 + r.nextInt(40000), "/org/repo.git"),
                    key,
                    null));
        }
        Manifest m = Manifest.builder()
                .bottle(b.build())
                .agent(AgentDefinition.builder("a" + i)
                        .bottle("b" + i)
                        .prompt("p")
                        .build())
                .build();
        PreparedBottle p = Bottles.using(new KubernetesBackend())
                .prepare(BottleSpec.builder("a" + i)
                        .manifest(m)
                        .home(home)
                        .userCwd(home)
                        .hostEnvironment(host)
                        .setting(KubernetesSettings.IMAGE, "reg.example/agent:1")
                        .setting(KubernetesSettings.BUNDLE_IMAGE, "reg.example/bundle:1")
                        .build());
        KubernetesBottlePlan plan = (KubernetesBottlePlan) p.plan();
        secrets.add(plan.bundle().sidecars().access().token());
        return new Case(plan, secrets);
    }

    @Test
    void everyInvariantHoldsOverRandomBottles() throws Exception {
        Random r = new Random(20261130);
        for (int i = 0; i < 40; i++) {
            Case c = randomBottle(r, i);
            check(c);
        }
    }

    private static void check(Case c) {
        KubernetesBottlePlan plan = c.plan();
        String id = plan.identity();
        BottleObjects o = new BottleObjects(plan, "host/1/2");
        String uid = "anchor-uid";
        Pod agent = o.agentPod(uid);
        Pod bundle = o.bundlePod(uid);
        NetworkPolicy agentPolicy = o.agentPolicy(uid);
        NetworkPolicy bundlePolicy = o.bundlePolicy(uid);
        Secret secret = o.secret(uid);
        HasMetadata anchor = o.anchor(Instant.EPOCH);

        // no secret value anywhere but the Secret, where each is
        for (HasMetadata x : List.of(agent, bundle, agentPolicy, bundlePolicy, anchor)) {
            String yaml = Serialization.asYaml(x);
            for (String s : c.secrets()) {
                assertFalse(
                        yaml.contains(s), x.getKind() + " " + x.getMetadata().getName() + " holds a secret");
            }
        }
        String inSecret = secret.getData().values().stream()
                .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8))
                .collect(Collectors.joining("\n"));
        for (String s : c.secrets()) {
            assertTrue(inSecret.contains(s), "the Secret holds every value the bundle needs");
        }
        assertEquals(Boolean.TRUE, secret.getImmutable());

        // labels and ownership
        for (HasMetadata x : List.of(agent, bundle, agentPolicy, bundlePolicy, secret, anchor)) {
            Map<String, String> l = x.getMetadata().getLabels();
            assertEquals(id, l.get(Names.IDENTITY));
            assertEquals("kubernetes", l.get(Names.BACKEND));
            assertNotNull(l.get(Names.ROLE));
            if (x != anchor) {
                assertEquals(uid, x.getMetadata().getOwnerReferences().get(0).getUid());
            }
        }

        // the agent pod: nothing to reach the cluster with, nothing of the node, nothing secret mounted
        var as = agent.getSpec();
        assertEquals(Boolean.FALSE, as.getAutomountServiceAccountToken());
        assertEquals(Boolean.FALSE, as.getEnableServiceLinks());
        assertEquals("None", as.getDnsPolicy());
        assertEquals(List.of("127.0.0.1"), as.getDnsConfig().getNameservers());
        for (Volume v : as.getVolumes()) {
            assertNull(v.getSecret(), "no Secret in the agent pod");
            assertNull(v.getProjected(), "no projected token or Secret in the agent pod");
            assertNull(v.getHostPath());
            assertNotNull(v.getEmptyDir(), "only empty dirs: " + v.getName());
        }
        for (Container ct : as.getContainers()) {
            ct.getEnv().forEach(e -> assertNull(e.getValueFrom(), "no env from a Secret in the agent"));
            assertTrue(ct.getEnvFrom() == null || ct.getEnvFrom().isEmpty());
        }
        restricted(agent);
        restricted(bundle);

        // the agent's fence: no ingress; egress only to its own bundle on the agent-facing ports
        var ap = agentPolicy.getSpec();
        assertEquals(
                Map.of(Names.IDENTITY, id, Names.ROLE, Names.AGENT),
                ap.getPodSelector().getMatchLabels());
        assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(ap.getPolicyTypes()));
        assertTrue(ap.getIngress() == null || ap.getIngress().isEmpty(), "nothing may connect to the agent");
        Set<Integer> facing = plan.bundle().sidecars().bundle().agentFacing().stream()
                .map(Daemon::port)
                .collect(Collectors.toSet());
        for (NetworkPolicyEgressRule rule : ap.getEgress()) {
            assertFalse(rule.getTo().isEmpty(), "an egress rule with no peer allows every address");
            for (NetworkPolicyPeer peer : rule.getTo()) {
                assertNull(peer.getIpBlock(), "no address block for the agent");
                assertNull(peer.getNamespaceSelector(), "no other namespace for the agent");
                assertEquals(
                        Map.of(Names.IDENTITY, id, Names.ROLE, Names.BUNDLE),
                        peer.getPodSelector().getMatchLabels());
            }
            assertFalse(rule.getPorts().isEmpty(), "an egress rule with no port allows every port (DNS too)");
            for (var port : rule.getPorts()) {
                assertEquals("TCP", port.getProtocol());
                assertTrue(facing.contains(port.getPort().getIntVal()), "port " + port.getPort());
            }
        }

        // the bundle's fence: only its own agent in; out, only DNS and public addresses
        var bp = bundlePolicy.getSpec();
        assertEquals(1, bp.getIngress().size());
        for (NetworkPolicyPeer from : bp.getIngress().get(0).getFrom()) {
            assertEquals(
                    Map.of(Names.IDENTITY, id, Names.ROLE, Names.AGENT),
                    from.getPodSelector().getMatchLabels());
            assertNull(from.getNamespaceSelector());
            assertNull(from.getIpBlock());
        }
        for (NetworkPolicyEgressRule rule : bp.getEgress()) {
            assertFalse(rule.getTo().isEmpty());
            assertFalse(rule.getPorts().isEmpty());
            for (NetworkPolicyPeer peer : rule.getTo()) {
                if (peer.getIpBlock() != null) {
                    List<String> except = peer.getIpBlock().getExcept();
                    if (peer.getIpBlock().getCidr().contains(":")) {
                        assertTrue(except.containsAll(BottleObjects.NEVER_DIALLED_V6));
                    } else {
                        assertTrue(
                                except.containsAll(List.of(
                                        "10.0.0.0/8",
                                        "172.16.0.0/12",
                                        "192.168.0.0/16",
                                        "169.254.0.0/16",
                                        "127.0.0.0/8")),
                                "private, metadata and loopback are excluded");
                    }
                } else {
                    assertEquals(
                            "kube-dns", peer.getPodSelector().getMatchLabels().get("k8s-app"));
                }
            }
        }
    }

    /** The restricted Pod Security Standard's checks (kubernetes.io/docs/concepts/security/pod-security-standards). */
    private static void restricted(Pod p) {
        var s = p.getSpec();
        String name = p.getMetadata().getName();
        assertTrue(s.getHostNetwork() == null || !s.getHostNetwork(), name);
        assertTrue(s.getHostPID() == null || !s.getHostPID(), name);
        assertTrue(s.getHostIPC() == null || !s.getHostIPC(), name);
        assertEquals("Never", s.getRestartPolicy());
        assertNotNull(s.getActiveDeadlineSeconds(), "a deadline as backstop");
        assertEquals(Boolean.TRUE, s.getSecurityContext().getRunAsNonRoot());
        assertEquals(
                "RuntimeDefault", s.getSecurityContext().getSeccompProfile().getType());
        for (Volume v : s.getVolumes()) {
            assertTrue(v.getEmptyDir() != null || v.getSecret() != null || v.getConfigMap() != null, v.getName());
        }
        List<Container> all = new ArrayList<>(s.getContainers());
        if (s.getInitContainers() != null) {
            all.addAll(s.getInitContainers());
        }
        for (Container c : all) {
            var sc = c.getSecurityContext();
            assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), name);
            assertEquals(Boolean.FALSE, sc.getPrivileged(), name);
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), name);
            assertTrue(
                    sc.getCapabilities().getAdd() == null
                            || sc.getCapabilities().getAdd().isEmpty(),
                    name);
            assertTrue(sc.getRunAsUser() != null && sc.getRunAsUser() > 0, "never root: " + name);
            assertTrue(c.getPorts() == null || c.getPorts().stream().allMatch(x -> x.getHostPort() == null), name);
        }
    }
}
