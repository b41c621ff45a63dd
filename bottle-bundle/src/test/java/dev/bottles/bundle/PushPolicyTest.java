package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.sidecars.SecretScanner;
import java.util.Map;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.junit.TestRepository;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.Test;

/** The git gate's push policy on its own: ref rules, and what a push may not carry. */
class PushPolicyTest {
    private static final String SECRET = "gt-0123456789abcdef";
    private static final String MAIN = "refs/heads/main";

    private final InMemoryRepository db = new InMemoryRepository(new DfsRepositoryDescription("gate"));
    private final TestRepository<InMemoryRepository> git;
    private final PushPolicy policy = new PushPolicy(SecretScanner.of(Map.of("GITEA_TOKEN", SECRET)));

    PushPolicyTest() throws Exception {
        git = new TestRepository<>(db);
    }

    private static ReceiveCommand update(ObjectId from, ObjectId to, String ref) {
        return new ReceiveCommand(from, to, ref);
    }

    @Test
    void onlyBranchesGoThroughAndTheDefaultBranchIsNeverRewritten() throws Exception {
        RevCommit a = git.commit().add("a.txt", "a").create();
        RevCommit b = git.commit().add("b.txt", "b").create();
        assertEquals(
                "deleting refs is not allowed through the gate",
                PushPolicy.refRule(update(a, ObjectId.zeroId(), "refs/heads/x"), MAIN));
        assertEquals(
                "tags are not pushed through the gate",
                PushPolicy.refRule(update(ObjectId.zeroId(), a, "refs/tags/v1"), MAIN));
        assertEquals(
                "only branches (refs/heads/*) are pushed through the gate",
                PushPolicy.refRule(update(ObjectId.zeroId(), a, "refs/notes/commits"), MAIN));
        ReceiveCommand force = new ReceiveCommand(b, a, MAIN, ReceiveCommand.Type.UPDATE_NONFASTFORWARD);
        assertEquals("no force-push to the upstream's default branch main", PushPolicy.refRule(force, MAIN));
        ReceiveCommand forceElsewhere =
                new ReceiveCommand(b, a, "refs/heads/topic", ReceiveCommand.Type.UPDATE_NONFASTFORWARD);
        assertNull(PushPolicy.refRule(forceElsewhere, MAIN), "a topic branch may be rewritten");
        assertNull(PushPolicy.refRule(update(ObjectId.zeroId(), a, "refs/heads/new"), MAIN));
        assertNull(PushPolicy.refRule(forceElsewhere, null), "no known default branch: only the other rules");
    }

    @Test
    void aSecretInAFileOrAMessageRefusesThePushAndNamesWhere() throws Exception {
        RevCommit clean =
                git.commit().add("README.md", "hello").message("clean").create();
        assertNull(policy.judge(db, update(ObjectId.zeroId(), clean, MAIN), MAIN));

        RevCommit inFile = git.commit()
                .parent(clean)
                .add("config/app.env", "TOKEN=" + SECRET + "\n")
                .create();
        String why = policy.judge(db, update(clean, inFile, MAIN), MAIN);
        assertEquals("file config/app.env contains secret GITEA_TOKEN", why);

        RevCommit inMessage =
                git.commit().parent(clean).message("use " + SECRET).create();
        String msg = policy.judge(db, update(clean, inMessage, MAIN), MAIN);
        assertTrue(msg != null && msg.startsWith("commit ") && msg.endsWith(" contains secret GITEA_TOKEN"), msg);

        // a well-known token shape is refused without being declared
        RevCommit shaped =
                git.commit().parent(clean).add("k.txt", "ghp_" + "a".repeat(36)).create();
        assertTrue(policy.judge(db, update(clean, shaped, MAIN), MAIN) != null, "a GitHub token shape");
    }

    @Test
    void whatTheUpstreamAlreadyHasIsNotScannedAgainButEverythingNewIs() throws Exception {
        // an old commit with the secret is already upstream (a known ref reaches it)
        RevCommit old = git.commit().add("legacy.txt", SECRET).create();
        git.update(MAIN, old);
        RevCommit next = git.commit().parent(old).add("new.txt", "fine").create();
        assertNull(policy.judge(db, update(old, next, MAIN), MAIN), "only what the push adds is checked");

        // two new commits: the secret in the first, gone again in the second, is still refused
        RevCommit leak =
                git.commit().parent(old).add("new.txt", "again: " + SECRET).create();
        RevCommit cover = git.commit().parent(leak).add("new.txt", "fine").create();
        assertEquals("file new.txt contains secret GITEA_TOKEN", policy.judge(db, update(old, cover, MAIN), MAIN));
    }

    @Test
    void aFileTooLargeToCheckIsRefusedNotWavedThrough() throws Exception {
        byte[] big = new byte[(int) PushPolicy.MAX_SCANNED_BLOB + 1];
        RevCommit huge = git.commit().add("blob.bin", git.blob(big)).create();
        String why = policy.judge(db, update(ObjectId.zeroId(), huge, MAIN), MAIN);
        assertTrue(why != null && why.contains("too large to check"), why);
    }
}
