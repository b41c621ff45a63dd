package dev.bottles.docker;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.WarmPool;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The whole sandbox-escape suite again, on a bottle claimed from a warm pool whose template has
 * none of the bottle's routes, secrets or files: a claimed bottle must hold every line a cold one
 * holds.
 */
class DockerWarmSandboxEscapeIT extends DockerSandboxEscapeIT {
    private @Nullable WarmPool pool;

    @Override
    protected RunningBottle launch(BottleSpec spec) {
        BottleSpec template = BottleSpec.builder("blank")
                .manifest(Manifest.builder()
                        .bottle(BottleDefinition.builder("blank")
                                .supervise(true)
                                .build())
                        .agent(AgentDefinition.builder("blank").bottle("blank").build())
                        .build())
                .home(java.util.Objects.requireNonNull(spec.home(), "home"))
                .userCwd(spec.userCwd())
                .hostEnvironment(Map.of())
                .settings(spec.settings())
                .build();
        WarmPool p = Bottles.using(backend()).warmPool(template, 1);
        pool = p;
        if (!p.awaitReady(1, Duration.ofMinutes(4))) {
            throw new BottleException(
                    "the warm pool did not fill: " + p.lastFailure().orElse("?"));
        }
        PreparedBottle prepared = Bottles.using(backend()).prepare(spec);
        if (!prepared.identity().startsWith("warm-")) {
            throw new BottleException("the spec did not claim the pool's member: " + prepared.identity());
        }
        return prepared.launch();
    }

    @Override
    protected void afterSuite() {
        WarmPool p = pool;
        if (p != null) {
            p.close();
        }
    }
}
