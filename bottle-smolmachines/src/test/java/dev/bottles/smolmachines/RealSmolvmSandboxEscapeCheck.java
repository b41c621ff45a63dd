package dev.bottles.smolmachines;

import dev.bottles.RunningBottle;
import dev.bottles.docker.escape.SandboxEscapeSuite;
import dev.bottles.spi.BottleBackend;
import java.util.Map;

/**
 * The sandbox-escape suite on the smolmachines backend. It needs a real {@code smolvm} (a fake one
 * runs the agent on the host, where no sandbox holds), so it is not an {@code *IT}: run it where
 * smolvm works with {@code bottle-smolmachines/escape.sh}.
 */
class RealSmolvmSandboxEscapeCheck extends SandboxEscapeSuite {
    private final SmolmachinesBackend backend = new SmolmachinesBackend();

    @Override
    protected BottleBackend backend() {
        return backend;
    }

    @Override
    protected Map<String, String> settings(String agentImage) {
        return Map.of("CLAUDE_BOTTLE_IMAGE", agentImage);
    }

    @Override
    protected String outboundNetwork(RunningBottle bottle) {
        return ((SmolmachinesBottlePlan) bottle.plan()).bundle().network();
    }

    @Override
    protected String bundleAddress(RunningBottle bottle) {
        return ((SmolmachinesBottlePlan) bottle.plan()).vm().hostAddress();
    }
}
