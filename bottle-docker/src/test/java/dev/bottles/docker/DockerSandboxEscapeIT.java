package dev.bottles.docker;

import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.docker.escape.SandboxEscapeSuite;
import dev.bottles.docker.internal.NoResolver;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.ContainerSpec;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.spi.BottleBackend;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;

/** The sandbox-escape suite on the docker backend with the SDK's real bundle image (offline recipe). */
class DockerSandboxEscapeIT extends SandboxEscapeSuite {
    private final DockerBackend backend = new DockerBackend();

    @Override
    protected BottleBackend backend() {
        TestImages.requireEngine();
        return backend;
    }

    @Override
    protected Map<String, String> settings(String agentImage) {
        return Map.of(DockerSettings.IMAGE, agentImage);
    }

    @Override
    protected String outboundNetwork(RunningBottle bottle) {
        return ((DockerBottlePlan) bottle.plan()).networks().egress();
    }

    @org.junit.jupiter.api.Test
    void theAgentHasNoResolverAndTheEnginesOwnLeadsNowhere() {
        Assertions.assertEquals(
                NoResolver.CONTENT, bottle().exec("cat", "/etc/resolv.conf").stdout());
        ExecResult viaEngine = bottle().exec("nslookup", "evil.test", "127.0.0.11");
        Assertions.assertNotEquals(
                0,
                viaEngine.exitCode(),
                "a direct query to the engine's resolver gets no answer either: " + viaEngine.stdout());
    }

    @Override
    protected String bundleAddress(RunningBottle bottle) {
        DockerBottlePlan p = (DockerBottlePlan) bottle.plan();
        return TestImages.engine()
                .containerAddresses(p.bundleName())
                .get(p.networks().internal());
    }

    @org.junit.jupiter.api.Test
    void theAgentContainerIsLockedDownToo() {
        DockerBottlePlan p = (DockerBottlePlan) bottle().plan();
        DockerEngine.Lockdown a = TestImages.engine().lockdown(p.agent().container());
        Assertions.assertTrue(a.capDrop().contains("ALL"), a.toString());
        Assertions.assertTrue(a.securityOpts().contains("no-new-privileges"), a.toString());
        Assertions.assertEquals(ContainerSpec.PIDS_LIMIT, a.pidsLimit());
    }

    /**
     * Neither the host nor a stranger container reaches the bundle's daemons: on the outbound network
     * nothing listens, the internal network has no host address, and a container that gets onto the
     * internal network anyway is refused by every daemon for want of the bottle's credential.
     */
    @org.junit.jupiter.api.Test
    void neitherTheHostNorAStrangerContainerCanUseTheBundle() throws Exception {
        DockerBottlePlan p = (DockerBottlePlan) bottle().plan();
        DockerEngine engine = TestImages.engine();
        Map<String, String> addr = engine.containerAddresses(p.bundleName());
        String internal = addr.get(p.networks().internal());
        String outbound = addr.get(p.networks().egress());
        // The host has an address only on the outbound network, and there nothing listens. (The internal
        // network has none, so the host has no route to it: a connect would leave this machine by the
        // default route, so it is not tried; DockerIsolationIT checks that network's inhibit_ipv4.)
        for (int port : new int[] {8080, 9100}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(outbound, port), 1500);
                Assertions.fail("the host reached the bundle at " + outbound + ":" + port);
            } catch (ConnectException expected) {
                // refused: the daemons listen only on the bundle's internal address
            }
        }
        String name = "bottle-test-stranger-" + bottle().identity();
        String stranger = engine.createContainer(ContainerSpec.builder(
                        name, TestImages.probeAgent(), p.networks().egress())
                .cmd(List.of("sleep", "infinity"))
                .labels(Map.of(
                        "dev.bottles.identity",
                        bottle().identity() + "-stranger",
                        "dev.bottles.backend",
                        "test",
                        "dev.bottles.role",
                        "test-stranger"))
                .hardening(ContainerSpec.Hardening.agent(ContainerSpec.PIDS_LIMIT, 0))
                .build());
        try {
            engine.start(stranger);
            String onOutbound =
                    strangerCurl(engine, stranger, "--proxy http://" + outbound + ":8080 http://www.allowed.test/s1");
            Assertions.assertEquals(
                    "000",
                    onOutbound.strip().substring(onOutbound.strip().lastIndexOf('\n') + 1),
                    "nothing listens on the outbound side: " + onOutbound);
            engine.connect(stranger, p.networks().internal(), List.of());
            for (String proxy : List.of("http://" + internal + ":8080", "http://bottle:guess@" + internal + ":8080")) {
                String r = strangerCurl(engine, stranger, "--proxy " + proxy + " http://www.allowed.test/s2");
                Assertions.assertTrue(r.strip().endsWith("407"), proxy + ": " + r);
            }
            String mcp = strangerCurl(
                    engine,
                    stranger,
                    "-H 'Content-Type: application/json' -d"
                            + " '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}' http://"
                            + internal
                            + ":9100/mcp");
            Assertions.assertTrue(mcp.strip().endsWith("401"), mcp);
        } finally {
            engine.removeContainer(stranger);
        }
    }

    private static String strangerCurl(DockerEngine engine, String container, String args) {
        return engine.exec(
                        DockerEngine.Command.in(
                                container,
                                List.of("sh", "-c", "curl -sS --max-time 5 -w '\\n%{http_code}' " + args + " 2>&1")),
                        Duration.ofSeconds(20))
                .result()
                .stdout();
    }
}
