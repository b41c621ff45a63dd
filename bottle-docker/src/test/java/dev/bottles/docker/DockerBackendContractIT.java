package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.docker.internal.DockerEngine;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.BottleBackendContract;
import java.util.LinkedHashSet;
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
        return Map.of(DockerSettings.IMAGE, TestImages.agent(),
                dev.bottles.sidecars.BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle());
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, String> label = Map.of("dev.bottles.identity", identity);
        engine.containers(label).forEach(c -> out.add("container " + c.name()));
        engine.networks(label).forEach(n -> out.add("network " + n.name()));
        return out;
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        return spec.setting(DockerSettings.IMAGE, "bottle-test/no-such-image:0");
    }
}
