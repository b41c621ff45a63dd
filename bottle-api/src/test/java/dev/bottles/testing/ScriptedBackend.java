package dev.bottles.testing;

import dev.bottles.BottleLaunchException;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.Phase;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/** An in-memory backend for the facade's tests: scripted failures, a call log, commands answered in Java. */
public class ScriptedBackend implements BottleBackend {
    /** Availability of the service-registered test backends, by id; absent means their default. */
    public static final Map<String, Availability> AVAILABILITY = new ConcurrentHashMap<>();

    private final String id;
    private final int priority;
    private final Availability defaultAvailability;
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    public final Set<String> running = ConcurrentHashMap.newKeySet();
    public volatile @Nullable RuntimeException failPrepare;
    public volatile @Nullable RuntimeException failLaunch;
    /** The warm key every request gets; null keeps no warm pool. */
    public volatile @Nullable String warmKey;
    /** Thrown by the next claims of warm members. */
    public volatile @Nullable RuntimeException failClaim;

    public ScriptedBackend(String id, int priority, Availability availability) {
        this.id = id;
        this.priority = priority;
        this.defaultAvailability = availability;
    }

    public ScriptedBackend() {
        this("scripted", 0, Availability.available("scripted"));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Availability probe() {
        calls.add("probe");
        return AVAILABILITY.getOrDefault(id, defaultAvailability);
    }

    /** The plan: the shared fields plus what prepare resolved. */
    public record ScriptedPlan(
            String identity,
            String backendId,
            String agentName,
            Path stateDir,
            Map<String, String> literals,
            Set<String> forwardedNames,
            Map<String, String> forwarded)
            implements BottlePlan {
        @Override
        public String toJson() {
            StringBuilder sb = new StringBuilder("{\"identity\":\"" + identity + "\",\"forwarded\":{");
            forwardedNames.forEach(n -> sb.append('"').append(n).append("\":\"***\","));
            return sb.append("}}").toString();
        }

        @Override
        public String toString() {
            return "ScriptedPlan" + toJson();
        }
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        calls.add("prepare " + request.identity());
        RuntimeException f = failPrepare;
        if (f != null) {
            SecureFiles.writePrivate(request.state().agentDir().resolve("half-written"), "x");
            throw f;
        }
        SecureFiles.writePrivate(
                request.state().agentDir().resolve("prompt.txt"),
                request.agent().prompt());
        return new ScriptedPlan(
                request.identity(),
                id,
                request.agent().name(),
                request.state().path(),
                request.env().literals(),
                request.env().forwardedNames(),
                request.env().forwardedValues());
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        calls.add("launch " + plan.identity());
        RuntimeException f = failLaunch;
        if (f != null) {
            throw f;
        }
        events.run(Phase.LAUNCH, "start", () -> running.add(plan.identity()));
        return new Running(plan);
    }

    @Override
    public java.util.Optional<String> warmKey(PrepareRequest request) {
        return java.util.Optional.ofNullable(warmKey);
    }

    @Override
    public BackendBottle launchWarm(BottlePlan plan, BottleEvents events) {
        calls.add("launchWarm " + plan.identity());
        RuntimeException f = failLaunch;
        if (f != null) {
            throw f;
        }
        running.add(plan.identity());
        return new Running(plan);
    }

    @Override
    public BackendBottle claimWarm(BackendBottle member, BottlePlan plan, BottleEvents events) {
        calls.add("claimWarm " + plan.identity());
        RuntimeException f = failClaim;
        if (f != null) {
            throw f;
        }
        if (!member.identity().equals(plan.identity()) || !running.contains(plan.identity())) {
            throw new IllegalStateException("claimed a member that is not this plan's or not running");
        }
        return new Running(plan);
    }

    @Override
    public List<BottleSummary> list() {
        return running.stream()
                .map(i -> new BottleSummary(i, id, null, List.of(), "running"))
                .toList();
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        return CleanupReport.empty();
    }

    private final class Running implements BackendBottle {
        private final BottlePlan plan;

        Running(BottlePlan plan) {
            this.plan = plan;
        }

        @Override
        public String identity() {
            return plan.identity();
        }

        @Override
        public BottlePlan plan() {
            return plan;
        }

        @Override
        public ExecResult exec(List<String> argv, ExecOptions options) {
            calls.add("exec " + String.join(" ", argv));
            switch (argv.get(0)) {
                case "echo":
                    return new ExecResult(0, String.join(" ", argv.subList(1, argv.size())) + "\n", "", Duration.ZERO);
                case "exit":
                    return new ExecResult(Integer.parseInt(argv.get(1)), "", "bye\n", Duration.ZERO);
                case "sleep":
                    throw new ExecTimeoutException(
                            argv, options.timeout(), new ExecResult(-1, "partial", "", options.timeout()));
                default:
                    return new ExecResult(127, "", argv.get(0) + ": not found\n", Duration.ZERO);
            }
        }

        @Override
        public void close() {
            calls.add("close " + plan.identity());
            running.remove(plan.identity());
        }
    }

    /** Fails a launch the way a real backend does: at a named step. */
    public static BottleLaunchException launchFailure(String identity) {
        return new BottleLaunchException(identity, "create-network", "Pool overlaps", null);
    }
}
