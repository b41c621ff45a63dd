package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.docker.internal.DockerEngine;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.BottleBackendContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/** The docker backend owes what every backend owes, on the real engine. */
class DockerBackendContractIT extends BottleBackendContract {
    private static DockerEngine engine;

    @BeforeAll
    static void engine() {
        engine = TestImages.engine();
    }

    @Override
    protected BottleBackend createBackend() {
        return new DockerBackend();
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of(DockerSettings.IMAGE, TestImages.agent(), BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle());
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
