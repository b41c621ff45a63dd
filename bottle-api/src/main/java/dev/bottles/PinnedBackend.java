package dev.bottles;

import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import java.util.List;
import java.util.Objects;

/**
 * The facade bound to one backend, from {@link Bottles#using(BottleBackend)}: no discovery, no
 * selection; the spec's backend id, if any, is ignored.
 */
public final class PinnedBackend {
    private final BottleBackend backend;

    PinnedBackend(BottleBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * Prepares a bottle on this backend.
     *
     * @param spec what to run
     * @return the prepared bottle
     * @throws ManifestException when a definition is wrong or the host cannot satisfy it
     * @throws BottleException when the backend cannot make a plan
     */
    public PreparedBottle prepare(BottleSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return PrepareFlow.prepare(spec, () -> backend);
    }

    /**
     * Starts a warm pool on this backend, as {@link Bottles#warmPool(BottleSpec, int)} does.
     *
     * @param template the spec members are made from
     * @param size how many members to keep ready
     * @return the pool
     */
    public WarmPool warmPool(BottleSpec template, int size) {
        Objects.requireNonNull(template, "template");
        return WarmPool.start(template, size, backend);
    }

    /**
     * Returns the backend.
     *
     * @return the backend
     */
    public BottleBackend backend() {
        return backend;
    }

    /**
     * Lists this backend's running bottles.
     *
     * @return the bottles
     */
    public List<BottleSummary> list() {
        return backend.list();
    }

    /**
     * Removes what no running bottle of this backend owns.
     *
     * @param request what to do
     * @return what was (or would be) removed
     */
    public CleanupReport cleanup(CleanupRequest request) {
        return backend.cleanup(request);
    }
}
