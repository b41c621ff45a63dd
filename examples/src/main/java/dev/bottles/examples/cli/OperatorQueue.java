package dev.bottles.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.spi.BottleSummary;
import dev.bottles.state.BottleHome;
import dev.bottles.state.ProposalQueue;
import dev.bottles.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every bottle's pending supervise proposals under one bottle home, oldest first, whichever process
 * launched the bottle; and the way an operator decides one (a decision file the launching program
 * applies, answers and audits).
 */
final class OperatorQueue {
    private final BottleHome home;

    OperatorQueue(BottleHome home) {
        this.home = home;
    }

    BottleHome home() {
        return home;
    }

    /**
     * A proposal waiting for the operator.
     *
     * @param proposal the proposal
     * @param decided whether an operator decided it and the launching program has yet to apply it
     * @param ownProgram whether the launching program decides it itself (its own handler)
     */
    record Pending(Proposal proposal, boolean decided, boolean ownProgram) {}

    /**
     * Lists what waits, oldest first: proposals without an answer; those an operator has decided and
     * the launching program has not yet applied are marked.
     *
     * @return the proposals
     */
    List<Pending> pending() {
        List<Pending> out = new ArrayList<>();
        Path root = home.root().resolve("queue");
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                ProposalQueue q = new ProposalQueue(d);
                for (Proposal p : q.pending()) {
                    out.add(new Pending(p, q.decision(p.id()).isPresent(), !q.defersToOperator()));
                }
            }
        } catch (IOException e) {
            throw new BottleException("cannot list " + root + " (" + e + ")", e);
        }
        out.sort(Comparator.comparing((Pending p) -> p.proposal().createdAt())
                .thenComparing(p -> p.proposal().id()));
        return out;
    }

    /**
     * Records a decision, unless another operator already did.
     *
     * @param p the proposal
     * @param d the decision
     * @return whether this call decided it
     */
    boolean decide(Proposal p, Decision d) {
        ProposalQueue q = new ProposalQueue(home.queueDir(p.bottle()));
        if (!q.defersToOperator()) {
            throw new BottleException("bottle " + p.bottle() + " is decided by the program that launched it"
                    + " (its own ApprovalHandler), not from here");
        }
        return q.decide(p.id(), d);
    }

    /**
     * Describes a running bottle as the dashboard's bottles pane shows it: backend, identity, agent,
     * daemons, status (with {@code kept} when its state is kept), age since it was prepared, and the
     * host user owning its state, when this bottle home holds it.
     *
     * @param b the bottle
     * @param now the time to measure the age at
     * @return one line
     */
    String row(BottleSummary b, Instant now) {
        StateDir st = home.state(b.identity());
        String age = "-";
        String owner = "-";
        String status = b.status();
        if (st.exists()) {
            age = st.readMetadata()
                    .map(m -> age(Duration.between(m.startedAt(), now)))
                    .orElse("-");
            try {
                owner = Files.getOwner(st.path()).getName();
            } catch (IOException e) {
                owner = "?";
            }
            if (st.isPreserved()) {
                status += ", kept";
            }
        }
        return String.format(
                "%-12s %-26s %-14s %-28s %-16s %-6s %s",
                b.backend(),
                b.identity(),
                b.agent() == null ? "-" : b.agent(),
                String.join(",", b.services()),
                status,
                age,
                owner);
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86400 ? s / 3600 + "h" : s / 86400 + "d";
    }

    /**
     * Describes what a proposal changes against the bottle's current policy.
     *
     * @param p the proposal
     * @return lines, {@code +} for what is added
     */
    List<String> diff(Proposal p) {
        List<String> out = new ArrayList<>();
        if (p.kind() == Proposal.Kind.EGRESS_ALLOW && p.route() != null) {
            Path routes = home.state(p.bottle()).path().resolve("egress").resolve("routes.yaml");
            String current = read(routes);
            boolean known = current.lines()
                    .anyMatch(l -> l.strip().equals("- host: " + p.route().host())
                            || l.strip().equals("host: " + p.route().host()));
            out.add((known ? "~ " : "+ ") + "host " + p.route().host()
                    + (p.route().pathAllowlist().isEmpty()
                            ? " (every path)"
                            : " paths " + p.route().pathAllowlist())
                    + (known ? " (host already allowed; paths" + " are added)" : " (a new host)"));
        } else if (p.dockerfile() != null) {
            List<String> base = read(home.state(p.bottle()).path().resolve("Dockerfile"))
                    .lines()
                    .toList();
            for (String l : p.dockerfile().lines().toList()) {
                out.add((base.contains(l) ? "  " : "+ ") + l);
            }
        }
        return out;
    }

    private static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Renders what waits as JSON.
     *
     * @param pending the proposals
     * @return a JSON array
     */
    String json(List<Pending> pending) {
        ObjectMapper m = new ObjectMapper();
        ArrayNode a = m.createArrayNode();
        for (Pending w : pending) {
            Proposal p = w.proposal();
            ObjectNode o = a.addObject();
            o.put("bottle", p.bottle());
            o.put("id", p.id());
            o.put("tool", p.kind().tool());
            o.put("created_at", p.createdAt().toString());
            o.put("justification", p.justification());
            if (p.route() != null) {
                o.put("host", p.route().host());
                p.route().pathAllowlist().forEach(o.putArray("path_allowlist")::add);
            }
            if (p.dockerfile() != null) {
                o.put("dockerfile", p.dockerfile());
            }
            o.put("decided", w.decided());
            o.put("decided_by", w.ownProgram() ? "its program" : "operator");
        }
        return a.toPrettyString();
    }
}
