package dev.bottles.sidecars;

import dev.bottles.BottleSpec;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Settings;
import dev.bottles.state.BottleHome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Builds prepare requests for the preparers' tests. */
final class Fixtures {
    static final String IDENTITY = "implementer-ab12c";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    private Fixtures() {}

    static PrepareRequest request(Path home, BottleDefinition bottle, Map<String, String> hostEnv, ResolvedEnv env) {
        AgentDefinition agent =
                AgentDefinition.builder("implementer").bottle(bottle.name()).build();
        Manifest m = Manifest.builder().bottle(bottle).agent(agent).build();
        BottleHome h = new BottleHome(home);
        BottleSpec spec = BottleSpec.builder("implementer")
                .manifest(m)
                .home(home)
                .hostEnvironment(hostEnv)
                .build();
        return new PrepareRequest(
                spec,
                m,
                agent,
                bottle,
                IDENTITY,
                false,
                h,
                h.state(IDENTITY).create(),
                env,
                hostEnv,
                new Settings(Map.of(), hostEnv),
                BottleEvents.silent(IDENTITY, "test"));
    }
}
