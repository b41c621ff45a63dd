package dev.bottles.smolmachines;

import dev.bottles.BottleSpec;
import dev.bottles.testkit.FakeSmolvm;
import java.nio.file.Path;

/** Points a spec at the testkit's fake {@code smolvm}, with its home and cache under a test's directory. */
final class FakeSmolvmSpecs {
    private FakeSmolvmSpecs() {}

    static BottleSpec.Builder onFakeSmolvm(BottleSpec.Builder spec, FakeSmolvm smolvm, Path tmp) {
        return spec.home(tmp.resolve("home"))
                .userCwd(tmp)
                .setting(SmolmachinesSettings.SMOLVM, smolvm.executable().toString())
                .setting(SmolmachinesSettings.CHECK_KVM, "false")
                .setting(SmolmachinesSettings.CACHE, tmp.resolve("cache").toString());
    }
}
