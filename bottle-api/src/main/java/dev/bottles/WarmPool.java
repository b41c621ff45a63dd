package dev.bottles;

import dev.bottles.internal.OpenBottles;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Bottles launched ahead of need, so that {@link PreparedBottle#launch()} of a matching spec
 * takes one instead of bringing a bottle up. Started with {@link Bottles#warmPool(BottleSpec,
 * int)}; owned by this program, like any bottle it launches.
 *
 * <p>A member is a bottle of the template's backend and home, up and running (networks, a started
 * sidecar bundle and agent, the agent trusting its egress CA) but holding nothing of a bottle yet:
 * no routes, no secret, no files, no environment. Any spec the backend finds equal on its
 * {@linkplain BottleBackend#warmKey warm key} (for docker: the agent image, the bundle image, the
 * runtime and the daemons; not the agent, its routes, secrets or files) matches, unless it resumes
 * a bottle or is detached. {@link Bottles#prepare(BottleSpec)} of a matching spec claims a member
 * (atomically, on the file system: of any number of claimers exactly one gets it) and prepares the
 * bottle into it, so the bottle takes the member's identity ({@code warm-xxxxx}); its launch then
 * delivers the bottle's routes, secrets, environment and files and returns when it is as ready as
 * a cold bottle. A claim that fails falls back to a cold launch of the same plan. The pool refills
 * in the background. {@link #close()} removes the members no bottle claimed; so does the program's
 * exit, and the home's reaper after a crash. Design: {@code docs/decisions/0013-a-warm-pool.md}.
 */
public final class WarmPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());
    private static final Set<WarmPool> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * How long a refill waits after a claim: the claimed bottle's delivery and first commands go
     * first, not a member's launch competing for the engine and the CPU.
     */
    static final Duration REFILL_DELAY = Duration.ofSeconds(2);
    /** The longest wait between two failed attempts to launch a member. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final BottleSpec template;
    private final BottleBackend backend;
    private final BottleHome home;
    private final String key;
    private final int size;
    private final ConcurrentLinkedQueue<Member> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<@Nullable String> lastFailure = new AtomicReference<>();
    private final ScheduledExecutorService workers;
    private volatile boolean closed;

    /** One member: its state, its running bottle, and the exit hook that removes it. */
    record Member(WarmPool pool, StateDir state, BackendBottle bottle, OpenBottles.Open atExit) {
        String identity() {
            return state.identity();
        }

        /** Removes the member: its runtime and its state. */
        void remove() {
            OpenBottles.closing(atExit);
            try {
                bottle.close();
            } finally {
                state.delete();
            }
        }
    }

    private WarmPool(BottleSpec template, BottleBackend backend, BottleHome home, String key, int size) {
        this.template = template;
        this.backend = backend;
        this.home = home;
        this.key = key;
        this.size = size;
        int parallel = Math.min(size, 4);
        this.workers = Executors.newScheduledThreadPool(parallel, r -> {
            Thread t = new Thread(r, "bottles-warm-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static WarmPool start(BottleSpec template, int size, BottleBackend backend) {
        if (size < 1) {
            throw new IllegalArgumentException("a warm pool holds at least one bottle, not " + size);
        }
        if (template.identity() != null || template.detached()) {
            throw new BottleException("a warm pool's template may neither resume a bottle nor be detached:"
                    + " its members are new bottles this program owns");
        }
        PrepareFlow.Context context = PrepareFlow.Context.of(template, backend);
        String key = context.warmKey()
                .orElseThrow(() -> new BottleException("backend " + backend.id() + " keeps no warm pool for agent "
                        + template.agent() + " (it launches every bottle cold; see docs/backends.md)"));
        WarmPool pool = new WarmPool(template, backend, context.home(), key, size);
        OPEN.add(pool);
        pool.topUp();
        return pool;
    }

    /**
     * Claims a member whose key is the given one, for a bottle of this backend and home.
     *
     * @param backend the bottle's backend
     * @param home the bottle's home
     * @param key the bottle's warm key
     * @return the claimed member, or empty when no pool has one ready
     */
    static Optional<Member> claim(BottleBackend backend, BottleHome home, String key) {
        for (WarmPool p : OPEN) {
            if (p.closed
                    || !p.key.equals(key)
                    || !p.backend.id().equals(backend.id())
                    || !p.home.root().equals(home.root())) {
                continue;
            }
            for (Member m = p.ready.poll(); m != null; m = p.ready.poll()) {
                if (m.state().claimWarm()) {
                    p.topUpLater();
                    return Optional.of(m);
                }
            }
        }
        return Optional.empty();
    }

    static boolean anyOpen() {
        return !OPEN.isEmpty();
    }

    /**
     * Returns the key members share with the bottles they serve.
     *
     * @return the backend's warm key
     */
    public String key() {
        return key;
    }

    /**
     * Returns how many members the pool keeps.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Returns how many members are ready to be claimed now.
     *
     * @return the count
     */
    public int ready() {
        return ready.size();
    }

    /**
     * Returns why the last member that failed to launch failed, while the pool keeps failing.
     *
     * @return the reason, or empty when the last launch succeeded
     */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure.get());
    }

    /**
     * Waits until at least {@code count} members are ready.
     *
     * @param count how many
     * @param timeout how long at most
     * @return whether they are
     */
    public boolean awaitReady(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ready.size() < Math.min(count, size)) {
            if (closed || System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private synchronized void topUp() {
        while (!closed && ready.size() + starting.get() < size) {
            starting.incrementAndGet();
            long delay = failures.get() == 0
                    ? 0
                    : Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(5, failures.get() - 1));
            try {
                workers.schedule(this::launchOne, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                starting.decrementAndGet(); // closed meanwhile
                return;
            }
        }
    }

    private void topUpLater() {
        try {
            workers.schedule(this::topUp, REFILL_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: nothing to refill
        }
    }

    private void launchOne() {
        Member m = null;
        try {
            if (!closed) {
                m = launchMember();
            }
        } catch (RuntimeException e) {
            if (failures.incrementAndGet() == 1) {
                LOG.log(
                        Level.WARNING,
                        "warm pool " + key + " could not launch a member (retrying with backoff): " + e.getMessage());
            }
            lastFailure.set(String.valueOf(e.getMessage()));
        }
        if (m != null) {
            failures.set(0);
            lastFailure.set(null);
            if (closed) {
                removeQuietly(m);
            } else {
                ready.add(m); // before it stops counting as starting, or a top-up would launch one too many
            }
        }
        starting.decrementAndGet();
        if (!closed) {
            topUp();
        }
    }

    private Member launchMember() {
        PrepareFlow.Member prepared = PrepareFlow.prepareMember(template, backend);
        StateDir state = prepared.state();
        BackendBottle bottle;
        try {
            bottle =
                    prepared.events().phase(Phase.LAUNCH, () -> backend.launchWarm(prepared.plan(), prepared.events()));
        } catch (RuntimeException e) {
            state.delete();
            throw e;
        }
        OpenBottles.Open atExit = OpenBottles.quietly("warm " + state.identity(), () -> {
            bottle.close();
            state.delete();
        });
        return new Member(this, state, bottle, atExit);
    }

    private static void removeQuietly(Member m) {
        try {
            m.remove();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove warm bottle " + m.identity() + ": " + e.getMessage());
        }
    }

    /**
     * Stops refilling and removes every member no bottle claimed (in parallel), after the members
     * being launched come up. Claimed bottles are their own and stay.
     */
    @Override
    public void close() {
        closed = true;
        OPEN.remove(this);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(3, TimeUnit.MINUTES)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CompletableFuture<Void>> removals = new ArrayList<>();
        for (Member m = ready.poll(); m != null; m = ready.poll()) {
            Member doomed = m;
            removals.add(CompletableFuture.runAsync(() -> removeQuietly(doomed)));
        }
        removals.forEach(CompletableFuture::join);
    }

    @Override
    public String toString() {
        return "WarmPool[" + key + ", " + ready.size() + "/" + size + " ready" + (closed ? ", closed" : "") + "]";
    }
}
