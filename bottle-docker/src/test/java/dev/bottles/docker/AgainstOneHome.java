package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.state.BottleHome;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ownership ITs' frame: one bottle home per test, the {@link OwnerProgram}s run against it
 * (killed and their bottles removed afterwards), and the images they launch.
 */
abstract class AgainstOneHome {
    @TempDir
    Path home;

    OwnerPrograms programs;

    @BeforeAll
    static void images() {
        TestImages.requireEngine();
        TestImages.agent();
        TestImages.bundle();
    }

    @BeforeEach
    void programs() {
        programs = new OwnerPrograms(home);
    }

    @AfterEach
    void stop() {
        programs.close();
    }

    /** The spec that resumes a program's bottle from its kept state, in this JVM. */
    BottleSpec resuming(String identity) {
        return BottleSpec.resuming(new BottleHome(home), identity)
                .manifest(OwnerProgram.manifest())
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, TestImages.agent())
                .setting(BundleLaunchSpec.IMAGE_SETTING, TestImages.bundle())
                .build();
    }
}
