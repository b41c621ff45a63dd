package dev.bottles.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.ApprovalHandler;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.state.ProposalQueue;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Watches a bottle's supervise queue and hands each new proposal, oldest first, to the operator's
 * handler; then applies an approval, answers the agent and appends the decision to the audit log.
 * An approved route goes live through the backend's route reload ({@link Target#allowRoute}); an approved Dockerfile is
 * written to {@code state/<identity>/Dockerfile}, the state is marked {@code .preserve}, and the
 * bottle is torn down so {@code resume} rebuilds it.
 */
public final class ApprovalWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ApprovalWatcher.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long one decision may take before the agent is told "rejected: undecided". */
    static final Duration DECISION_LIMIT = Duration.ofHours(24);

    /** What the watcher acts on: the facade's bottle, seen from inside the facade. */
    public interface Target {
        /**
         * Puts an approved route into the bottle's egress policy.
         *
         * @param route the route
         */
        void allowRoute(EgressRoute route);

        /** Tears the bottle down after an approved capability change (the state is kept). */
        void close();
    }

    private final Target bottle;
    private final StateDir state;
    private final ProposalQueue queue;
    private final Path audit;
    private final ApprovalHandler handler;
    private final Duration poll;
    private final Thread thread;
    private final Set<String> delivered = new HashSet<>();
    private volatile boolean running = true;

    /**
     * Starts watching.
     *
     * @param bottle the running bottle (the facade's)
     * @param state its state dir ({@code <home>/state/<identity>})
     * @param handler the operator's handler
     * @param poll how often the queue is checked
     */
    public ApprovalWatcher(Target bottle, StateDir state, ApprovalHandler handler, Duration poll) {
        this.bottle = Objects.requireNonNull(bottle, "bottle");
        this.state = state;
        this.queue = new ProposalQueue(state.home().queueDir(state.identity()));
        this.audit = state.home().approvalsLog();
        this.handler = Objects.requireNonNull(handler, "handler");
        this.poll = poll;
        this.thread = new Thread(this::loop, "bottle-approvals-" + state.identity());
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                for (Proposal p : queue.pending()) {
                    if (!running) {
                        return;
                    }
                    if (delivered.add(p.id())) {
                        handle(p);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "supervise queue of " + state.identity() + ": " + e.getMessage());
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void handle(Proposal p) {
        Decision d;
        try {
            d = handler.decide(p).toCompletableFuture().get(DECISION_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            Objects.requireNonNull(d, "the handler returned no decision");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            d = Decision.reject("not decided: the operator's handler failed ("
                    + c.getClass().getSimpleName() + ")");
        }
        boolean teardown = false;
        if (d.approved()) {
            try {
                teardown = apply(p, d);
            } catch (RuntimeException e) {
                d = Decision.reject("approved, but applying it failed: " + e.getMessage());
            }
        }
        queue.answer(p.id(), d);
        audit(p, d);
        if (teardown) {
            running = false;
            bottle.close();
        }
    }

    private boolean apply(Proposal p, Decision d) {
        if (p.kind() == Proposal.Kind.EGRESS_ALLOW) {
            EgressRoute r = d.route() != null ? d.route() : p.route();
            bottle.allowRoute(Objects.requireNonNull(r));
            return false;
        }
        String dockerfile = d.dockerfile() != null ? d.dockerfile() : p.dockerfile();
        SecureFiles.writePrivate(state.dockerfile(), Objects.requireNonNull(dockerfile));
        state.preserve();
        return true;
    }

    private void audit(Proposal p, Decision d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ts", Instant.now().toString());
        o.put("bottle", p.bottle());
        o.put("id", p.id());
        o.put("tool", p.kind().tool());
        o.put("verdict", d.verdict().name().toLowerCase(Locale.ROOT));
        o.put("reason", d.reason());
        EgressRoute r = d.route() != null ? d.route() : p.route();
        if (r != null) {
            o.put("host", r.host());
            r.pathAllowlist().forEach(o.putArray("path_allowlist")::add);
        }
        String df = d.dockerfile() != null ? d.dockerfile() : p.dockerfile();
        if (d.approved()) {
            // the content id of what was applied: the proposal's id, unless the operator changed it
            o.put(
                    "applied_id",
                    ProposalQueue.idOf(
                            p.kind(),
                            p.kind() == Proposal.Kind.EGRESS_ALLOW ? r : null,
                            p.kind() == Proposal.Kind.CAPABILITY_BLOCK ? df : null));
        }
        o.put("justification", p.justification());
        try {
            SecureFiles.createPrivateDirectories(SecureFiles.parent(audit));
            boolean created = !Files.exists(audit);
            Files.writeString(
                    audit,
                    o.toString() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            if (created) {
                Files.setPosixFilePermissions(audit, SecureFiles.PRIVATE_FILE);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot append to the audit log " + audit + ": " + e.getMessage());
        }
    }

    /** Stops watching; a decision in progress is abandoned (the proposal stays pending). */
    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() != thread) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
