package dev.bottles.spi;

import dev.bottles.BottleEvent;
import dev.bottles.BottleListener;
import dev.bottles.Phase;
import dev.bottles.internal.PhaseEvent;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Times the steps of one bottle and reports each to the listeners and as a JFR event
 * ({@code dev.bottles.Phase}). Backends wrap each launch step in {@link #time(Phase, String,
 * Supplier)}.
 */
public final class BottleEvents {
    private static final System.Logger LOG = System.getLogger(BottleEvents.class.getName());

    private final String identity;
    private final String backend;
    private final List<BottleListener> listeners;

    /**
     * Creates the reporter for one bottle.
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @param listeners who to tell
     */
    public BottleEvents(String identity, String backend, List<BottleListener> listeners) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Returns a reporter that tells no listener (JFR events are still recorded).
     *
     * @param identity the bottle's identity
     * @param backend the backend's id
     * @return the reporter
     */
    public static BottleEvents silent(String identity, String backend) {
        return new BottleEvents(identity, backend, List.of());
    }

    /**
     * Returns the listeners, for a backend that hands them on.
     *
     * @return the listeners
     */
    public List<BottleListener> listeners() {
        return listeners;
    }

    /**
     * Runs and reports one step.
     *
     * @param phase the phase
     * @param step the step's name, e.g. {@code create-network}
     * @param work the step
     * @param <T> the step's result type
     * @return the step's result
     */
    public <T> T time(Phase phase, String step, Supplier<T> work) {
        PhaseEvent jfr = new PhaseEvent();
        jfr.begin();
        long start = System.nanoTime();
        boolean ok = false;
        String detail = null;
        try {
            T result = work.get();
            ok = true;
            return result;
        } catch (RuntimeException | Error e) {
            detail = e.getMessage();
            throw e;
        } finally {
            jfr.end();
            if (jfr.shouldCommit()) {
                jfr.identity = identity;
                jfr.backend = backend;
                jfr.phase = phase.name();
                jfr.step = step;
                jfr.succeeded = ok;
                jfr.commit();
            }
            record(phase, step, Duration.ofNanos(System.nanoTime() - start), ok, detail);
        }
    }

    /**
     * Runs and reports one step that returns nothing.
     *
     * @param phase the phase
     * @param step the step's name
     * @param work the step
     */
    public void run(Phase phase, String step, Runnable work) {
        time(phase, step, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs and reports a whole phase (its step is the phase's lower-case name).
     *
     * @param phase the phase
     * @param work the phase's work
     * @param <T> the result type
     * @return the result
     */
    public <T> T phase(Phase phase, Supplier<T> work) {
        return time(phase, phase.name().toLowerCase(Locale.ROOT), work);
    }

    /**
     * Reports one line of progress of a step to the listeners (an image build's output, say).
     *
     * @param step the step
     * @param line the line
     */
    public void progress(String step, String line) {
        for (BottleListener l : listeners) {
            try {
                l.onProgress(identity, step, line);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "bottle listener " + l + " failed on progress of " + step, e);
            }
        }
    }

    /**
     * Reports a step measured elsewhere, to the listeners only.
     *
     * @param phase the phase
     * @param step the step's name
     * @param duration how long it took
     * @param succeeded whether it succeeded
     * @param detail a short note, or null
     */
    public void record(Phase phase, String step, Duration duration, boolean succeeded, @Nullable String detail) {
        if (listeners.isEmpty()) {
            return;
        }
        BottleEvent event = new BottleEvent(identity, backend, phase, step, duration, succeeded, detail);
        for (BottleListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "bottle listener " + l + " failed on " + phase + "/" + step, e);
            }
        }
    }
}
