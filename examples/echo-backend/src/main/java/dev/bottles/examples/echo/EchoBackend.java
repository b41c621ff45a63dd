package dev.bottles.examples.echo;

import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend plug-in in its smallest useful form: a "bottle" that runs nothing and echoes each
 * command back. It shows the whole SPI: an id and a priority (above docker's, so once it is
 * available discovery picks it), a probe that says why it is not available, a plan, a running bottle
 * and its teardown, listing and cleanup. Registered by the one line in
 * {@code META-INF/services/dev.bottles.spi.BottleBackend}.
 *
 * <p>It is available only when the system property {@value #SWITCH} is {@code true}, so having this
 * jar on a class path never takes bottles away from a real backend by accident.
 */
public final class EchoBackend implements BottleBackend {
    /** The backend's id. */
    public static final String ID = "echo";
    /** Its priority: above docker (100), so it wins discovery when available. */
    public static final int PRIORITY = 1000;
    /** The system property that turns it on. */
    public static final String SWITCH = "bottles.echo.available";

    private static final Map<String, EchoBottle> RUNNING = new ConcurrentHashMap<>();

    /** Creates the backend (ServiceLoader calls this). */
    public EchoBackend() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        return Boolean.getBoolean(SWITCH)
                ? Availability.available("echo: commands are echoed, nothing runs")
                : Availability.unavailable("the echo backend is off; start the JVM with -D" + SWITCH + "=true");
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        return new EchoPlan(
                request.identity(), request.agent().name(), request.state().path());
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents events) {
        EchoBottle b = new EchoBottle((EchoPlan) plan);
        RUNNING.put(plan.identity(), b);
        return b;
    }

    @Override
    public List<BottleSummary> list() {
        return RUNNING.values().stream()
                .map(b -> new BottleSummary(b.identity(), ID, b.plan().agentName(), List.of(), "running"))
                .toList();
    }

    /** Its bottles live in this process: no reaper is needed. */
    @Override
    public boolean bottlesOutliveTheirOwner() {
        return false;
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        return CleanupReport.empty();
    }

    /**
     * The echo backend's plan.
     *
     * @param identity the bottle's identity
     * @param agentName its agent
     * @param stateDir its state dir
     */
    public record EchoPlan(String identity, String agentName, Path stateDir) implements BottlePlan {
        @Override
        public String backendId() {
            return ID;
        }

        @Override
        public String toJson() {
            return "{\"identity\":\"" + identity + "\",\"backend\":\"" + ID + "\",\"agent\":\"" + agentName + "\"}";
        }
    }

    private static final class EchoBottle implements BackendBottle {
        private final EchoPlan plan;

        EchoBottle(EchoPlan plan) {
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
            return new ExecResult(0, String.join(" ", argv) + "\n", "", Duration.ZERO);
        }

        @Override
        public void close() {
            RUNNING.remove(plan.identity());
        }
    }
}
