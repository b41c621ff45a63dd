package dev.bottles.smolmachines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleLaunchException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecOptions;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.testkit.FakeSmolvm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smolmachines launch: argv, published ports, version-dependent addresses, rollback. */
class SmolmachinesLaunchIT {
    private static DockerEngine engine;

    @TempDir
    Path tmp;

    private FakeSmolvm smolvm;

    @BeforeAll
    static void engine() {
        engine = TestImages.engine();
    }

    @BeforeEach
    void install() {
        smolvm = FakeSmolvm.install(tmp.resolve("smolvm"));
    }

    private BottleSpec.Builder spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("vm")
                        .supervise(true)
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("guest").bottle("vm").prompt("p").build())
                .build();
        return FakeSmolvmSpecs.onFakeSmolvm(BottleSpec.builder("guest"), smolvm, tmp)
                .manifest(m)
                .hostEnvironment(Map.of("GH_PAT", "pat-value-123", "API_TOKEN", "route-token-456"))
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle());
    }

    @Test
    void theVmIsCreatedWithExactlyTheseArgumentsAndReachesPublishedLoopbackPorts() {
        try (RunningBottle b =
                Bottles.using(new SmolmachinesBackend()).prepare(spec().build()).launch()) {
            SmolmachinesBottlePlan p = (SmolmachinesBottlePlan) b.plan();
            String bundle = "claude-bottle-sidecars-" + b.identity();
            int egress = engine.hostPort(bundle, 8080).orElseThrow();
            int supervise = engine.hostPort(bundle, 9100).orElseThrow();
            assertTrue(engine.hostPort(bundle, 8888).isEmpty(), "pipelock is never published");

            FakeSmolvm.Machine vm = smolvm.machine(p.machine().name()).orElseThrow();
            String access = p.bundle().sidecars().access().token();
            assertEquals(
                    "http://bottle:" + access + "@100.96.0.1:" + egress + "\n",
                    b.exec("sh", "-c", "echo \"$HTTPS_PROXY\"").stdout(),
                    "the guest's proxy names the read-back port and the credential");
            assertEquals("http://100.96.0.1:" + supervise + "/mcp", vm.env().get("MCP_SUPERVISE_URL"));
            assertEquals(List.of("100.96.0.1/32"), vm.allowCidrs());
            assertEquals("BOTTLE_SECRET_GH", vm.secretEnv().get("GH"), "forwarded values travel as --secret-env");
            for (String proxyVar : List.of("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")) {
                assertEquals(
                        "BOTTLE_SECRET_" + proxyVar,
                        vm.secretEnv().get(proxyVar),
                        "a value holding the access credential travels like a secret, never on smolvm's argv");
            }
            assertFalse(vm.env().containsValue("pat-value-123") || vm.env().containsValue("route-token-456"));
            assertEquals("smolmachines", vm.labels().get("dev.bottles.backend"));

            List<List<String>> log = smolvm.invocations();
            List<String> create = log.stream()
                    .filter(a -> a.size() > 1
                            && a.get(0).equals("machine")
                            && a.get(1).equals("create"))
                    .findFirst()
                    .orElseThrow();
            List<String> expected = new ArrayList<>(List.of(
                    "machine",
                    "create",
                    "--name",
                    p.machine().name(),
                    "--from",
                    p.machine().pack().toString()));
            assertEquals(expected, create.subList(0, 6));
            List<String> envArgs = new ArrayList<>();
            for (int i = 6; i < create.size() - 1; i++) {
                if (create.get(i).equals("-e")) {
                    envArgs.add(create.get(i + 1));
                }
            }
            assertEquals(vm.env().size(), envArgs.size());
            for (String kv : envArgs) {
                assertEquals(vm.env().get(kv.substring(0, kv.indexOf('='))), kv.substring(kv.indexOf('=') + 1));
            }
            assertTrue(
                    String.join(" ", create)
                            .contains("--secret-env GH=BOTTLE_SECRET_GH --allow-cidr 100.96.0.1/32"
                                    + " --label dev.bottles.identity=" + b.identity()),
                    String.join(" ", create));
            assertFalse(String.join(" ", create).contains("pat-value-123"), "no secret on the argv");
            assertTrue(log.stream().noneMatch(a -> String.join(" ", a).contains(access)), "nor the access credential");
            assertTrue(log.contains(
                    List.of("machine", "start", "--name", p.machine().name())));
            int start = log.indexOf(
                    List.of("machine", "start", "--name", p.machine().name()));
            assertEquals(
                    List.of("machine", "exec", "--name", p.machine().name(), "-w", "/", "--", "sh", "-c"),
                    log.get(start + 1).subList(0, 9),
                    "the provisioning script is the first exec and the readiness probe");

            assertEquals("pat-value-123\n", b.exec("sh", "-c", "echo \"$GH\"").stdout());
            assertEquals(3, b.exec("sh", "-c", "exit 3").exitCode());
            assertEquals(1, b.exec("false").exitCode(), "a guest exit 1 is the guest's, not smolvm's");
            List<String> exec = smolvm.invocations().get(smolvm.invocations().size() - 1);
            assertEquals(
                    List.of(
                            "machine",
                            "exec",
                            "--name",
                            p.machine().name(),
                            "--timeout",
                            "300s",
                            "--",
                            "sh",
                            "-c",
                            "\"$@\"; echo \"__RC=$?\" >&2",
                            "sh",
                            "false"),
                    exec);
        }
        List<String> last = smolvm.invocations().get(smolvm.invocations().size() - 1);
        assertEquals("-f", last.get(last.size() - 1), "delete always with -f");
        assertEquals(List.of(), smolvm.machines());
    }

    @Test
    void streamingExecCarriesInputToItsEndAndHoldsBackTheExitMarker() {
        try (RunningBottle b =
                Bottles.using(new SmolmachinesBackend()).prepare(spec().build()).launch()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = b.execStreaming(
                    List.of("sh", "-c", "wc -c; echo to-stderr >&2; printf partial >&2; exit 5"),
                    ExecOptions.defaults(),
                    new ByteArrayInputStream(new byte[70_000]),
                    out,
                    err);
            assertEquals(5, code);
            assertEquals("70000", out.toString().strip(), "all of the input arrived, and its end");
            assertEquals("to-stderr\npartial", err.toString(), "the exit marker never reaches the caller");
            List<String> exec = smolvm.invocations().get(smolvm.invocations().size() - 1);
            assertTrue(exec.containsAll(List.of("--stream", "-i")), exec.toString());
            assertEquals(0, b.execStreaming(List.of("true"), ExecOptions.defaults(), null, out, err));
        }
    }

    @Test
    void olderSmolvmUsesTheTsiLoopback() {
        smolvm.version("1.8.0");
        try (RunningBottle b =
                Bottles.using(new SmolmachinesBackend()).prepare(spec().build()).launch()) {
            SmolmachinesBottlePlan p = (SmolmachinesBottlePlan) b.plan();
            assertEquals("127.0.0.1", p.vm().hostAddress());
            FakeSmolvm.Machine vm = smolvm.machine(p.machine().name()).orElseThrow();
            assertEquals(List.of("127.0.0.1/32"), vm.allowCidrs());
            assertTrue(b.exec("sh", "-c", "echo \"$HTTPS_PROXY\"")
                    .stdout()
                    .startsWith(
                            "http://bottle:" + p.bundle().sidecars().access().token() + "@127.0.0.1:"));
        }
    }

    @Test
    void aFailedStartLeavesNoBundleNetworkOrMachine() {
        PreparedBottle p = Bottles.using(new SmolmachinesBackend()).prepare(spec().build());
        smolvm.failNext("machine start", FakeSmolvm.Failure.KVM_NOT_AVAILABLE);
        BottleLaunchException e = assertThrows(BottleLaunchException.class, p::launch);
        assertEquals("start-machine", e.step());
        assertTrue(e.getMessage().contains("kvm not available"), e.getMessage());
        assertEquals(List.of(), smolvm.machines());
        assertEquals(List.of(), engine.containers(Map.of("dev.bottles.identity", p.identity())));
        assertEquals(List.of(), engine.networks(Map.of("dev.bottles.identity", p.identity())));
    }

    @Test
    void twoBottlesGetDifferentSubnetsAndHostPorts() {
        try (RunningBottle a = Bottles.using(new SmolmachinesBackend())
                        .prepare(spec().build())
                        .launch();
                RunningBottle b = Bottles.using(new SmolmachinesBackend())
                        .prepare(spec().build())
                        .launch()) {
            String na = "claude-bottle-bundle-" + a.identity();
            String nb = "claude-bottle-bundle-" + b.identity();
            String ipA = engine.containerAddresses("claude-bottle-sidecars-" + a.identity())
                    .get(na);
            String ipB = engine.containerAddresses("claude-bottle-sidecars-" + b.identity())
                    .get(nb);
            assertNotEquals(ipA.substring(0, ipA.lastIndexOf('.')), ipB.substring(0, ipB.lastIndexOf('.')));
            assertNotEquals(
                    engine.hostPort("claude-bottle-sidecars-" + a.identity(), 8080),
                    engine.hostPort("claude-bottle-sidecars-" + b.identity(), 8080));
        }
    }
}
