package dev.bottles.smolmachines;

import dev.bottles.BottleSpec;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.dockerengine.DockerEngine;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.BottleBackend;
import dev.bottles.testkit.BottleBackendContract;
import dev.bottles.testkit.FakeSmolvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/** The smolmachines backend owes what every backend owes: fake smolvm, real Docker for the bundle. */
class SmolmachinesBackendContractIT extends BottleBackendContract {
    private static DockerEngine engine;
    private static FakeSmolvm smolvm;
    private static Path cache;

    @BeforeAll
    static void setUp() throws Exception {
        engine = TestImages.engine();
        Path dir = Files.createTempDirectory("fake-smolvm-");
        smolvm = FakeSmolvm.install(dir);
        cache = dir.resolve("cache");
    }

    @Override
    protected BottleBackend createBackend() {
        return new SmolmachinesBackend();
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                SmolmachinesSettings.SMOLVM,
                smolvm.executable().toString(),
                SmolmachinesSettings.CHECK_KVM,
                "false",
                SmolmachinesSettings.CACHE,
                cache.toString(),
                BundleLaunchSpec.IMAGE_SETTING,
                TestImages.bundle());
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        Set<String> out = new LinkedHashSet<>();
        smolvm.machine("claude-bottle-" + identity).ifPresent(m -> out.add("machine " + m.name()));
        out.addAll(TestImages.labelled(identity));
        return out;
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        smolvm.failNext("machine start", FakeSmolvm.Failure.KVM_NOT_AVAILABLE);
        return spec;
    }
}
