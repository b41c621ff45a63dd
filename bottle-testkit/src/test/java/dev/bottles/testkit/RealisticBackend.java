package dev.bottles.testkit;

import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import java.util.List;

/** Stands for a real backend at the default priority, registered for the discovery tests only. */
public final class RealisticBackend implements BottleBackend {
    @Override
    public String id() {
        return "realistic";
    }

    @Override
    public Availability probe() {
        return Availability.available("stands in for docker");
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        throw new UnsupportedOperationException("the discovery tests never prepare on it");
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<BottleSummary> list() {
        return List.of();
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        return CleanupReport.empty();
    }
}
