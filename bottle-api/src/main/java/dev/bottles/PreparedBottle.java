package dev.bottles;

import dev.bottles.internal.OpenBottles;
import dev.bottles.internal.Transcripts;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.state.StateDir;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A bottle resolved into a plan, with no runtime resource created yet. Inspect or print
 * {@link #plan()}, then {@link #launch()} it once, or {@link #discard()} it.
 */
public final class PreparedBottle {
    private static final System.Logger LOG = System.getLogger(PreparedBottle.class.getName());

    private enum Stage {
        READY,
        LAUNCHED,
        DISCARDED
    }

    private final BottlePlan plan;
    private final BottleBackend backend;
    private final BottleEvents events;
    private final StateDir state;
    private final boolean fresh;
    private final AtomicReference<Stage> stage = new AtomicReference<>(Stage.READY);

    private final @org.jspecify.annotations.Nullable ApprovalHandler approvals;
    private final Map<String, String> forwarded;
    private final boolean detached;
    private final WarmPool.@Nullable Member warm;

    PreparedBottle(
            BottlePlan plan,
            BottleBackend backend,
            BottleEvents events,
            StateDir state,
            boolean fresh,
            @org.jspecify.annotations.Nullable ApprovalHandler approvals,
            Map<String, String> forwarded,
            boolean detached,
            WarmPool.@Nullable Member warm) {
        this.detached = detached;
        this.warm = warm;
        this.approvals = approvals;
        this.forwarded = Map.copyOf(forwarded);
        this.plan = plan;
        this.backend = backend;
        this.events = events;
        this.state = state;
        this.fresh = fresh;
    }

    /**
     * Returns the plan: every name, file and setting the launch will use.
     *
     * @return the plan; its {@code toJson()} masks secrets
     */
    public BottlePlan plan() {
        return plan;
    }

    /**
     * Returns the bottle's identity.
     *
     * @return e.g. {@code researcher-m3hxd}
     */
    public String identity() {
        return plan.identity();
    }

    /**
     * Returns the backend that will run the bottle.
     *
     * @return the backend
     */
    public BottleBackend backend() {
        return backend;
    }

    /**
     * Brings the bottle up. On failure the backend has removed what the launch created, and a
     * fresh bottle's state dir is removed too (a resumed bottle keeps its state).
     *
     * @return the running bottle
     * @throws BottleLaunchException naming the step that failed
     * @throws IllegalStateException when already launched or discarded
     */
    public RunningBottle launch() {
        if (!stage.compareAndSet(Stage.READY, Stage.LAUNCHED)) {
            throw new IllegalStateException("bottle " + identity() + " was already "
                    + String.valueOf(stage.get()).toLowerCase(Locale.ROOT) + "; prepare it again");
        }
        try {
            BackendBottle running = events.phase(Phase.LAUNCH, this::start);
            if (running == null) {
                throw new BottleLaunchException(
                        identity(),
                        "launch",
                        "backend " + backend.id() + " returned no running bottle (a bug in "
                                + backend.getClass().getName() + ")",
                        null);
            }
            if (!fresh && Transcripts.exists(state)) {
                events.run(Phase.LAUNCH, "restore-transcript", () -> Transcripts.restore(running, state));
            }
            state.markLaunched();
            RunningBottle tracked = new RunningBottle(running, events, state, detached);
            tracked.serveOperators(forwarded);
            if (approvals != null) {
                tracked.onApproval(approvals);
            }
            return tracked;
        } catch (BottleLaunchException e) {
            dropFreshState();
            throw e;
        } catch (RuntimeException e) {
            dropFreshState();
            throw new BottleLaunchException(identity(), "launch", String.valueOf(e.getMessage()), e);
        }
    }

    private BackendBottle start() {
        WarmPool.Member member = warm;
        if (member == null) {
            return backend.launch(plan, events);
        }
        BackendBottle claimed;
        try {
            claimed = events.time(Phase.LAUNCH, "claim-warm", () -> backend.claimWarm(member.bottle(), plan, events));
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "warm bottle " + identity() + " could not be claimed (" + e.getMessage() + "); launching it cold");
            OpenBottles.closing(member.atExit());
            try {
                member.bottle().close();
            } catch (RuntimeException closing) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "could not remove warm bottle " + identity() + ": " + closing.getMessage());
            }
            return backend.launch(plan, events);
        }
        OpenBottles.closing(member.atExit());
        return claimed;
    }

    /**
     * Gives up on the bottle without launching it: a fresh bottle's state dir is removed, a
     * resumed one's is kept, and a claimed warm
     * pool member is removed. Idempotent.
     *
     * @throws IllegalStateException when already launched
     */
    public void discard() {
        if (stage.get() == Stage.LAUNCHED) {
            throw new IllegalStateException("bottle " + identity() + " was launched; close it instead");
        }
        if (stage.compareAndSet(Stage.READY, Stage.DISCARDED)) {
            if (warm != null) {
                PrepareFlow.remove(warm);
            }
            dropFreshState();
        }
    }

    private void dropFreshState() {
        if (fresh && !state.isPreserved()) {
            state.delete();
        }
    }

    @Override
    public String toString() {
        return "PreparedBottle[" + identity() + " on " + backend.id() + ", " + stage.get() + "]";
    }
}
