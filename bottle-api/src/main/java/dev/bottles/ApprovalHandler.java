package dev.bottles;

import dev.bottles.internal.OperatorDecisions;
import dev.bottles.state.BottleHome;
import java.util.concurrent.CompletionStage;

/**
 * Decides the proposals a bottle's agent makes through supervise; the operator's side of the
 * original's dashboard, as a callback. Proposals arrive one at a time, oldest first; the next one
 * is delivered when the previous decision completes. The SDK writes the answer for the agent,
 * appends it to the audit log, and applies an approval: a route goes live in egress without a
 * restart; a new Dockerfile is saved, the bottle's state kept, and the bottle torn down so that
 * {@code resume} rebuilds it.
 *
 * <pre>{@code
 * spec.approvals(p -> CompletableFuture.completedFuture(
 *         p.kind() == Proposal.Kind.EGRESS_ALLOW && p.route().host().endsWith(".pypi.org")
 *                 ? Decision.approve() : Decision.reject("ask in the team channel")));
 * }</pre>
 */
@FunctionalInterface
public interface ApprovalHandler {
    /**
     * Decides one proposal.
     *
     * @param proposal what the agent asked for
     * @return the decision, now or later
     */
    CompletionStage<Decision> decide(Proposal proposal);

    /**
     * Returns a handler that leaves each decision to an operator outside this program: it waits
     * for the decision {@code bottle dashboard} (or anything using
     * {@link dev.bottles.state.ProposalQueue#decide}) records in the bottle's queue, then the SDK
     * applies, answers and audits it as for any handler. The {@code bottle} CLI uses it.
     *
     * @param home the bottle home whose queues the operator answers
     * @return the handler
     */
    static ApprovalHandler awaitingOperator(BottleHome home) {
        return OperatorDecisions.handler(home);
    }
}
