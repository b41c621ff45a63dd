package dev.bottles.bundle;

import dev.bottles.sidecars.SecretScanner;
import java.io.IOException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.jspecify.annotations.Nullable;

/**
 * What the git gate lets through, decided before anything leaves. It does no I/O beyond reading
 * the pushed objects, so it is unit-tested on its own. The rules:
 * <ul>
 *   <li>branches only (`refs/heads/*`): no deletes, no tags;
 *   <li>no non-fast-forward on the upstream's default branch;
 *   <li>no new commit whose message or file content holds one of the bottle's secrets or a
 *       well-known token shape ({@link SecretScanner}, the rule set egress applies to what it
 *       forwards);
 *   <li>a file too large to check is refused, not waved through.
 * </ul>
 */
final class PushPolicy {
    /** The largest file checked; a larger one refuses the push. */
    static final long MAX_SCANNED_BLOB = 8L * 1024 * 1024;

    private final SecretScanner scanner;

    PushPolicy(SecretScanner scanner) {
        this.scanner = scanner;
    }

    /**
     * Judges one pushed ref update.
     *
     * @param db the repository holding the pushed objects (and the mirror's refs, which are known)
     * @param c the update
     * @param defaultBranch the upstream's default branch ({@code refs/heads/...}), or null
     * @return why it is refused, or null to let it through
     */
    @Nullable
    String judge(Repository db, ReceiveCommand c, @Nullable String defaultBranch) {
        String why = refRule(c, defaultBranch);
        return why != null ? why : scan(db, c);
    }

    /**
     * The ref rules: branches only, no deletes, no rewrite of the default branch.
     *
     * @param c the update
     * @param defaultBranch the upstream's default branch, or null
     * @return why it is refused, or null
     */
    static @Nullable String refRule(ReceiveCommand c, @Nullable String defaultBranch) {
        String ref = c.getRefName();
        if (c.getType() == ReceiveCommand.Type.DELETE) {
            return "deleting refs is not allowed through the gate";
        }
        if (ref.startsWith(Constants.R_TAGS)) {
            return "tags are not pushed through the gate";
        }
        if (!ref.startsWith(Constants.R_HEADS)) {
            return "only branches (refs/heads/*) are pushed through the gate";
        }
        if (c.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD
                && defaultBranch != null
                && ref.equals(defaultBranch)) {
            return "no force-push to the upstream's default branch "
                    + defaultBranch.substring(Constants.R_HEADS.length());
        }
        return null;
    }

    /** Walks what the push adds (commits and files no known ref reaches) and scans each. */
    private @Nullable String scan(Repository db, ReceiveCommand c) {
        try (ObjectWalk walk = new ObjectWalk(db)) {
            walk.setRetainBody(true);
            walk.markStart(walk.parseAny(c.getNewId()));
            for (Ref r : db.getRefDatabase().getRefs()) {
                if (r.getObjectId() != null) {
                    walk.markUninteresting(walk.parseAny(r.getObjectId()));
                }
            }
            RevCommit commit;
            while ((commit = walk.next()) != null) {
                String why = secretIn(
                        commit.getRawBuffer(), "commit " + commit.abbreviate(8).name());
                if (why != null) {
                    return why;
                }
            }
            RevObject o;
            while ((o = walk.nextObject()) != null) {
                if (o.getType() != Constants.OBJ_BLOB) {
                    continue;
                }
                ObjectLoader l = db.open(o);
                if (l.getSize() > MAX_SCANNED_BLOB) {
                    return "a file of " + l.getSize() / (1024 * 1024) + " MiB is too large to check (limit "
                            + MAX_SCANNED_BLOB / (1024 * 1024) + " MiB)";
                }
                String why = secretIn(
                        l.getBytes(), "file " + (walk.getPathString() == null ? o.name() : walk.getPathString()));
                if (why != null) {
                    return why;
                }
            }
            return null;
        } catch (IOException e) {
            return "its content could not be checked (" + e.getMessage() + ")";
        }
    }

    private @Nullable String secretIn(byte[] content, String where) {
        String f = scanner.find(content, 0, content.length);
        return f == null ? null : where + " contains secret " + f;
    }
}
