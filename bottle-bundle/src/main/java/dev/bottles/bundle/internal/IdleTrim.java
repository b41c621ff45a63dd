package dev.bottles.bundle.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Gives memory back once egress goes idle after a busy spell: when no connection is open and none
 * was accepted for a whole {@link #TICK}, but some were since the last trim, it asks for a full
 * collection. With the bundle's serial collector and its {@code MaxHeapFreeRatio}, that shrinks
 * the heap; freed direct buffers go back to malloc, which the JVM trims
 * ({@code TrimNativeHeapInterval}). A busy bottle never pays for it; an idle one pays once.
 */
public final class IdleTrim {
    /** How often the proxy looks. */
    public static final Duration TICK = Duration.ofSeconds(5);

    private final BooleanSupplier idle;
    private final AtomicLong accepted = new AtomicLong();
    private long seenAtLastTick;
    private long seenAtLastTrim;
    private int trims;

    /**
     * Watches.
     *
     * @param idle whether no connection is open now
     */
    public IdleTrim(BooleanSupplier idle) {
        this.idle = idle;
    }

    /** Counts one accepted connection. */
    public void accepted() {
        accepted.incrementAndGet();
    }

    /** Looks once; trims when the proxy went idle after activity. Called every {@link #TICK}. */
    public synchronized void tick() {
        long now = accepted.get();
        boolean quietSinceLastTick = now == seenAtLastTick;
        seenAtLastTick = now;
        if (quietSinceLastTick && now != seenAtLastTrim && idle.getAsBoolean()) {
            seenAtLastTrim = now;
            trims++;
            System.gc();
        }
    }

    /**
     * Returns how many trims ran.
     *
     * @return the count
     */
    public synchronized int trims() {
        return trims;
    }
}
