package dev.bottles;

import dev.bottles.internal.EnvResolver;
import dev.bottles.internal.HostValidator;
import dev.bottles.internal.Reaper;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.ManifestLoader;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Settings;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleIdentity;
import dev.bottles.state.BottleMetadata;
import dev.bottles.state.Owner;
import dev.bottles.state.StateDir;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/** The prepare template every backend shares: select, validate, resolve, then the backend's prepare. */
final class PrepareFlow {
    private PrepareFlow() {}

    static PreparedBottle prepare(BottleSpec spec, Supplier<BottleBackend> selection) {
        BottleIdentity identity =
                spec.identity() != null ? BottleIdentity.of(spec.identity()) : BottleIdentity.fresh(spec.agent());
        boolean resumed = spec.identity() != null;
        long t0 = System.nanoTime();
        BottleBackend backend = selection.get();
        BottleEvents events = new BottleEvents(identity.value(), backend.id(), spec.listeners());
        events.record(Phase.SELECT, "select", Duration.ofNanos(System.nanoTime() - t0), true, backend.id());

        Settings settings = new Settings(spec.settings(), spec.hostEnvironment());
        BottleHome home = BottleHome.resolve(spec.home(), spec.hostEnvironment());
        Manifest manifest = events.phase(Phase.VALIDATE, () -> {
            Manifest m = spec.manifest() != null
                    ? spec.manifest()
                    : ManifestLoader.load(home.root(), spec.userCwd()).withBuiltIns();
            HostValidator.validate(
                    m, spec.agent(), spec.hostEnvironment(), spec.secretPrompter() != null, settings.skillsDir());
            return m;
        });
        ResolvedEnv env =
                EnvResolver.resolve(manifest.bottleFor(spec.agent()), spec.hostEnvironment(), spec.secretPrompter());

        StateDir state = home.state(identity.value());
        boolean existed = state.exists();
        state.create();
        state.writeOwner(Owner.current(), spec.detached());
        state.clearPreserve();
        if (backend.bottlesOutliveTheirOwner()) {
            Reaper.watch(home, spec.hostEnvironment());
        }
        BottlePlan plan;
        try {
            plan = events.phase(
                    Phase.PREPARE,
                    () -> backend.prepare(new PrepareRequest(
                            spec,
                            manifest,
                            manifest.requireAgent(spec.agent()),
                            manifest.bottleFor(spec.agent()),
                            identity.value(),
                            resumed,
                            home,
                            state,
                            env,
                            spec.hostEnvironment(),
                            settings,
                            events)));
            if (plan == null
                    || !plan.identity().equals(identity.value())
                    || !plan.backendId().equals(backend.id())) {
                throw new BottleException("backend " + backend.id() + " returned a plan for another bottle or backend"
                        + " (a bug in " + backend.getClass().getName() + ")");
            }
            state.writeMetadata(new BottleMetadata(
                    identity.value(),
                    spec.agent(),
                    spec.copyCwd() ? spec.userCwd().toString() : "",
                    spec.copyCwd(),
                    Instant.now(),
                    plan.composeProject(),
                    backend.id()));
        } catch (RuntimeException e) {
            if (!resumed && !existed) {
                state.delete();
            }
            throw e instanceof BottleException be
                    ? be
                    : new BottleException(
                            "backend " + backend.id() + " failed to prepare bottle " + identity + ": " + e, e);
        }
        return new PreparedBottle(
                plan, backend, events, state, !resumed, spec.approvals(), env.forwardedValues(), spec.detached());
    }
}
