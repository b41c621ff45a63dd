package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.Settings;
import dev.bottles.testkit.BottleBackendContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * The docker backend owes what every backend owes, on the real engine, with the SDK's own bundle
 * (real egress), so the contract's enforcement check runs too.
 */
class DockerBackendContractIT extends BottleBackendContract {
    private static DockerEngine engine;

    @BeforeAll
    static void engine() {
        engine = TestImages.engine();
        // the SDK's bundle image is built on first use; a test run leaves none it made behind
        TestImages.removeAtExitIfNew(
                BundleImages.describe(engine, new Settings(Map.of(), Map.of())).reference());
    }

    @Override
    protected boolean enforcesEgress() {
        return true;
    }

    @Override
    protected BottleBackend createBackend() {
        return new DockerBackend();
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of(DockerSettings.IMAGE, TestImages.probeAgent()); // the busybox agent with stock curl and git
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        return TestImages.labelled(identity);
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        return spec.setting(DockerSettings.IMAGE, "bottle-test/no-such-image:0");
    }
}
