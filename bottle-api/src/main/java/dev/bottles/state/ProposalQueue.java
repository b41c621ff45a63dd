package dev.bottles.state;

import dev.bottles.BottleException;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.internal.ProposalJson;
import dev.bottles.manifest.EgressRoute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A bottle's supervise queue, {@code queue/<identity>/}: the agent's proposals
 * ({@code <id>.proposal.json}, written by supervise in the bundle) and the operator's answers
 * ({@code <id>.response.json}, written on the host). Both sides use this class, so the format has
 * one definition. An operator outside the launching program (the {@code bottle dashboard}) records
 * a decision as {@code <id>.decision.json}, created exclusively so that two operators can never
 * decide one proposal twice; the launching program applies it and writes the answer. Everything read from a proposal is the agent's and is validated; files are
 * written atomically.
 *
 * @param dir the queue directory
 */
public record ProposalQueue(Path dir) {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The largest Dockerfile a proposal may carry. */
    public static final int MAX_DOCKERFILE = 256 * 1024;

    /**
     * Returns the content hash a proposal is known by: the same request gets the same id.
     *
     * @param kind what is asked for
     * @param route the route, or null
     * @param dockerfile the Dockerfile, or null
     * @return 16 hex digits
     */
    public static String idOf(Proposal.Kind kind, @Nullable EgressRoute route, @Nullable String dockerfile) {
        StringBuilder sb = new StringBuilder(kind.tool()).append('\n');
        if (route != null) {
            sb.append(route.host())
                    .append('\n')
                    .append(String.join("\n", route.pathAllowlist()))
                    .append('\n');
        }
        if (dockerfile != null) {
            sb.append(dockerfile);
        }
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(sb.toString().getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a proposal unless it is already queued.
     *
     * @param p the proposal
     * @return true when it was written now
     */
    public boolean propose(Proposal p) {
        Path f = dir.resolve(p.id() + ".proposal.json");
        if (Files.exists(f)) {
            return false;
        }
        // the agent's own request, not a secret; readable by the host user whatever uid wrote it
        SecureFiles.writePrivate(f, ProposalJson.proposal(VERSION, p).getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /**
     * Returns the proposals without an answer, oldest first.
     *
     * @return the proposals; a malformed file is answered with a rejection and left out
     */
    public List<Proposal> pending() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Proposal> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(x -> x.getFileName().toString().endsWith(".proposal.json"))
                    .toList()) {
                String id = f.getFileName().toString().replace(".proposal.json", "");
                if (Files.exists(dir.resolve(id + ".response.json"))) {
                    continue;
                }
                try {
                    out.add(read(f, id));
                } catch (BottleException e) {
                    answer(id, Decision.reject("malformed proposal: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new BottleException("cannot list the supervise queue " + dir + " (" + e + ")", e);
        }
        out.sort(Comparator.comparing(Proposal::createdAt).thenComparing(Proposal::id));
        return out;
    }

    /**
     * Writes the answer to a proposal.
     *
     * @param id the proposal's id
     * @param d the decision
     */
    public void answer(String id, Decision d) {
        SecureFiles.writePrivate(dir.resolve(id + ".response.json"), ProposalJson.answer(VERSION, id, d));
    }

    /**
     * Returns the answer to a proposal, if there is one.
     *
     * @param id the proposal's id
     * @return the decision
     */
    public Optional<Decision> answer(String id) {
        Path f = dir.resolve(id + ".response.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ProposalJson.readAnswer(Files.readString(f, StandardCharsets.UTF_8), f.toString()));
        } catch (IOException e) {
            throw new BottleException(f + ": unreadable answer (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Records an operator's decision for the launching program to apply, unless one is recorded
     * already.
     *
     * @param id the proposal's id
     * @param d the decision
     * @return true when this call recorded it; false when another operator was first
     */
    public boolean decide(String id, Decision d) {
        Path f = dir.resolve(id + ".decision.json");
        Path tmp = dir.resolve("." + id + ".decision." + ProcessHandle.current().pid() + "." + System.nanoTime());
        try {
            Files.writeString(
                    tmp,
                    ProposalJson.answer(VERSION, id, d),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(tmp, SecureFiles.PRIVATE_FILE);
            // a hard link is created or fails atomically: exactly one operator's decision stands
            Files.createLink(f, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new BottleException("cannot record the decision on " + id + " in " + dir + " (" + e + ")", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file in the queue harms nothing
            }
        }
    }

    /** The marker a launching program leaves when an operator outside it decides its bottle's proposals. */
    public static final String OPERATOR_MARKER = ".decided-by-operator";

    /**
     * Marks this queue as decided by an operator outside the launching program (the dashboard then
     * offers its proposals; a program with its own handler keeps deciding them itself).
     */
    public void deferToOperator() {
        Path f = dir.resolve(OPERATOR_MARKER);
        if (!Files.exists(f)) {
            SecureFiles.writePrivate(f, "");
        }
    }

    /**
     * Tells whether an operator outside the launching program decides this queue's proposals.
     *
     * @return whether the launching program defers to the operator
     */
    public boolean defersToOperator() {
        return Files.exists(dir.resolve(OPERATOR_MARKER));
    }

    /**
     * Returns the decision an operator recorded for a proposal, if any.
     *
     * @param id the proposal's id
     * @return the decision
     */
    public Optional<Decision> decision(String id) {
        Path f = dir.resolve(id + ".decision.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ProposalJson.readAnswer(Files.readString(f, StandardCharsets.UTF_8), f.toString()));
        } catch (IOException e) {
            throw new BottleException(f + ": unreadable decision (" + e.getMessage() + ")", e);
        }
    }

    private static Proposal read(Path f, String id) {
        try {
            if (Files.size(f) > MAX_DOCKERFILE + 16 * 1024) {
                throw new BottleException("larger than " + (MAX_DOCKERFILE / 1024) + " KiB");
            }
            ProposalJson.Parsed p =
                    ProposalJson.readProposal(Files.readString(f, StandardCharsets.UTF_8), VERSION, f.toString());
            if (!id.equals(idOf(p.kind(), p.route(), p.dockerfile()))) {
                throw new BottleException("its content does not match its id " + id);
            }
            return new Proposal(id, p.bottle(), p.kind(), p.route(), p.dockerfile(), p.justification(), p.createdAt());
        } catch (IOException | IllegalArgumentException e) {
            throw new BottleException(f + ": " + e.getMessage(), e);
        }
    }
}
