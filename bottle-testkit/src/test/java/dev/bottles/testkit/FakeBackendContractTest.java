package dev.bottles.testkit;

import dev.bottles.BottleSpec;
import dev.bottles.spi.BottleBackend;
import java.util.Set;

/** The fake owes what every backend owes. */
class FakeBackendContractTest extends BottleBackendContract {
    @Override
    protected BottleBackend createBackend() {
        return new FakeBackend();
    }

    @Override
    protected Set<String> resourcesOf(BottleBackend backend, String identity) {
        return ((FakeBackend) backend).resources(identity);
    }

    @Override
    protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) {
        return spec.setting(FakeBackend.FAIL_LAUNCH_AT, "start-agent");
    }
}
