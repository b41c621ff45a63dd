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
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The prepare template every backend shares: select, validate, resolve, claim a warm pool member
 * when one matches, then the backend's prepare.
 */
final class PrepareFlow {
    private static final System.Logger LOG = System.getLogger(PrepareFlow.class.getName());
    /** The agent part of a warm pool member's identity. */
    static final String WARM = "warm";

    private PrepareFlow() {}

    /** What a spec resolves to before any identity is chosen: its settings, home, definitions, values. */
    record Context(
            BottleSpec spec,
            BottleBackend backend,
            Settings settings,
            BottleHome home,
            Manifest manifest,
            ResolvedEnv env) {
        static Context of(BottleSpec spec, BottleBackend backend) {
            Settings settings = new Settings(spec.settings(), spec.hostEnvironment());
            BottleHome home = BottleHome.resolve(spec.home(), spec.hostEnvironment());
            Manifest m = spec.manifest() != null
                    ? spec.manifest()
                    : ManifestLoader.load(home.root(), spec.userCwd()).withBuiltIns();
            HostValidator.validate(
                    m, spec.agent(), spec.hostEnvironment(), spec.secretPrompter() != null, settings.skillsDir());
            ResolvedEnv env =
                    EnvResolver.resolve(m.bottleFor(spec.agent()), spec.hostEnvironment(), spec.secretPrompter());
            return new Context(spec, backend, settings, home, m, env);
        }

        PrepareRequest request(String identity, StateDir state, boolean resumed, BottleEvents events) {
            return new PrepareRequest(
                    spec,
                    manifest,
                    manifest.requireAgent(spec.agent()),
                    manifest.bottleFor(spec.agent()),
                    identity,
                    resumed,
                    home,
                    state,
                    env,
                    spec.hostEnvironment(),
                    settings,
                    events);
        }

        /** The backend's warm key for a new bottle of this spec; nothing is written. */
        Optional<String> warmKey() {
            String probe = BottleIdentity.fresh(spec.agent()).value();
            return backend.warmKey(request(probe, home.state(probe), false, BottleEvents.silent(probe, backend.id())));
        }
    }

    /** A warm pool member, prepared from the pool's template into a state dir marked warm. */
    record Member(BottlePlan plan, StateDir state, BottleEvents events) {}

    static PreparedBottle prepare(BottleSpec spec, Supplier<BottleBackend> selection) {
        String pinned = spec.identity();
        boolean resumed = pinned != null;
        long t0 = System.nanoTime();
        BottleBackend backend = selection.get();
        Duration selecting = Duration.ofNanos(System.nanoTime() - t0);
        BottleIdentity identity = pinned != null ? BottleIdentity.of(pinned) : BottleIdentity.fresh(spec.agent());
        BottleEvents events = new BottleEvents(identity.value(), backend.id(), spec.listeners());
        events.record(Phase.SELECT, "select", selecting, true, backend.id());
        Context context = events.phase(Phase.VALIDATE, () -> Context.of(spec, backend));

        long c0 = System.nanoTime();
        WarmPool.Member warm = resumed || spec.detached() ? null : claim(context);
        if (warm != null) {
            // from here on the bottle is the member it claimed: the events say so
            String minted = identity.value();
            identity = BottleIdentity.of(warm.identity());
            events = new BottleEvents(identity.value(), backend.id(), spec.listeners());
            events.record(
                    Phase.PREPARE,
                    "claim-warm",
                    Duration.ofNanos(System.nanoTime() - c0),
                    true,
                    "from " + warm.pool().key() + ", instead of " + minted);
        }

        StateDir state = warm != null ? warm.state() : context.home().state(identity.value());
        boolean existed = state.exists();
        state.create();
        state.writeOwner(Owner.current(), spec.detached());
        state.clearPreserve();
        if (backend.bottlesOutliveTheirOwner()) {
            Reaper.watch(context.home(), spec.hostEnvironment());
        }
        BottlePlan plan;
        try {
            plan = prepareInto(context, identity.value(), state, resumed, events);
        } catch (RuntimeException e) {
            if (warm != null) {
                remove(warm);
            } else if (!resumed && !existed) {
                state.delete();
            }
            throw e;
        }
        return new PreparedBottle(
                plan,
                backend,
                events,
                state,
                !resumed,
                spec.approvals(),
                context.env().forwardedValues(),
                spec.detached(),
                warm);
    }

    /** Prepares a warm pool member: a new bottle of the template, in a state dir marked warm. */
    static Member prepareMember(BottleSpec template, BottleBackend backend) {
        Context context = Context.of(template, backend);
        String identity = BottleIdentity.fresh(WARM).value();
        BottleEvents events = new BottleEvents(identity, backend.id(), template.listeners());
        StateDir state = context.home().state(identity);
        state.create();
        state.writeOwner(Owner.current(), false);
        state.markWarm();
        if (backend.bottlesOutliveTheirOwner()) {
            Reaper.watch(context.home(), template.hostEnvironment());
        }
        try {
            return new Member(prepareInto(context, identity, state, false, events), state, events);
        } catch (RuntimeException e) {
            state.delete();
            throw e;
        }
    }

    private static BottlePlan prepareInto(
            Context context, String identity, StateDir state, boolean resumed, BottleEvents events) {
        BottleBackend backend = context.backend();
        BottleSpec spec = context.spec();
        try {
            BottlePlan plan = events.phase(
                    Phase.PREPARE, () -> backend.prepare(context.request(identity, state, resumed, events)));
            if (plan == null
                    || !plan.identity().equals(identity)
                    || !plan.backendId().equals(backend.id())) {
                throw new BottleException("backend " + backend.id() + " returned a plan for another bottle or backend"
                        + " (a bug in " + backend.getClass().getName() + ")");
            }
            state.writeMetadata(new BottleMetadata(
                    identity,
                    spec.agent(),
                    spec.copyCwd() ? spec.userCwd().toString() : "",
                    spec.copyCwd(),
                    Instant.now(),
                    plan.composeProject(),
                    backend.id()));
            return plan;
        } catch (RuntimeException e) {
            throw e instanceof BottleException be
                    ? be
                    : new BottleException(
                            "backend " + backend.id() + " failed to prepare bottle " + identity + ": " + e, e);
        }
    }

    private static WarmPool.@Nullable Member claim(Context context) {
        if (!WarmPool.anyOpen()) {
            return null;
        }
        Optional<String> key;
        try {
            key = context.warmKey();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "no warm key, launching cold: " + e.getMessage());
            return null;
        }
        return key.flatMap(k -> WarmPool.claim(context.backend(), context.home(), k))
                .orElse(null);
    }

    static void remove(WarmPool.Member warm) {
        try {
            warm.remove();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove warm bottle " + warm.identity() + ": " + e.getMessage());
        }
    }
}
