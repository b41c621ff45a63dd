package dev.bottles.internal;

import dev.bottles.ApprovalHandler;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.state.BottleHome;
import dev.bottles.state.ProposalQueue;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handler behind {@link ApprovalHandler#awaitingOperator}: polls the bottle's queue for the
 * decision an operator records there ({@code <id>.decision.json}).
 */
public final class OperatorDecisions {
    private static final System.Logger LOG = System.getLogger(OperatorDecisions.class.getName());
    private static final long POLL_MS = 200;
    private static final ScheduledExecutorService POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bottle-operator-decisions");
        t.setDaemon(true);
        return t;
    });

    private OperatorDecisions() {}

    /**
     * Returns the handler.
     *
     * @param home the bottle home
     * @return the handler
     */
    public static ApprovalHandler handler(BottleHome home) {
        return new Handler(home);
    }

    /** The handler; the facade marks a bottle's queue as the operator's when it is given one. */
    public static final class Handler implements ApprovalHandler {
        private final BottleHome home;

        Handler(BottleHome home) {
            this.home = home;
        }

        @Override
        public CompletionStage<Decision> decide(Proposal p) {
            ProposalQueue queue = new ProposalQueue(home.queueDir(p.bottle()));
            queue.deferToOperator();
            CompletableFuture<Decision> out = new CompletableFuture<>();
            ScheduledFuture<?> task = POLLER.scheduleWithFixedDelay(
                    () -> {
                        try {
                            Optional<Decision> d = queue.decision(p.id());
                            if (d.isPresent()) {
                                out.complete(d.get());
                            }
                        } catch (RuntimeException e) {
                            LOG.log(
                                    Level.WARNING,
                                    "reading the operator's decision on " + p.id() + ": " + e.getMessage());
                        }
                    },
                    0,
                    POLL_MS,
                    TimeUnit.MILLISECONDS);
            out.whenComplete((d, t) -> task.cancel(false));
            if (out.isDone()) {
                task.cancel(false);
            }
            return out;
        }
    }
}
