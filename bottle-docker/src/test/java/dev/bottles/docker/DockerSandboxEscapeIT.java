package dev.bottles.docker;

import dev.bottles.RunningBottle;
import dev.bottles.docker.escape.SandboxEscapeSuite;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.spi.BottleBackend;
import java.util.Map;

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
        return ((DockerBottlePlan) bottle.plan()).egressNetwork();
    }

    @org.junit.jupiter.api.Test
    void theAgentHasNoResolverAndTheEnginesOwnLeadsNowhere() {
        org.junit.jupiter.api.Assertions.assertEquals(dev.bottles.docker.internal.NoResolver.CONTENT,
                bottle().exec("cat", "/etc/resolv.conf").stdout());
        dev.bottles.ExecResult viaEngine = bottle().exec("nslookup", "evil.test", "127.0.0.11");
        org.junit.jupiter.api.Assertions.assertNotEquals(0, viaEngine.exitCode(),
                "a direct query to the engine's resolver gets no answer either: " + viaEngine.stdout());
    }

    @Override
    protected String bundleAddress(RunningBottle bottle) {
        DockerBottlePlan p = (DockerBottlePlan) bottle.plan();
        return TestImages.engine().containerAddresses(p.bundleName()).get(p.internalNetwork());
    }
}
