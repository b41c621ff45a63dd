package dev.bottles.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.state.Owner;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A cleanup's scope and the owners it knows gone decide, for every backend alike. */
class CleanupRequestTest {
    private static final Map<String, String> DEAD =
            Map.of(Owner.LABEL, new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1)).label());
    private static final Map<String, String> FOREIGN =
            Map.of(Owner.LABEL, new Owner("another-host.example", 7, Instant.ofEpochMilli(1)).label());
    private static final Map<String, String> FOREIGN_DETACHED =
            Map.of(Owner.LABEL, new Owner("another-host.example", 7, Instant.ofEpochMilli(1)).label(true));

    @Test
    void anUnscopedCleanupJudgesEveryBottleByItsOwner() {
        CleanupRequest r = CleanupRequest.remove();
        assertTrue(r.covers("any"));
        assertFalse(r.keeps("a", DEAD, true), "a dead owner's running agent goes");
        assertTrue(r.keeps("a", Map.of(Owner.LABEL, Owner.current().label()), false), "a live one's stays");
        assertTrue(r.keeps("a", FOREIGN, false), "another host's owner cannot be judged from the labels");
    }

    @Test
    void aScopedCleanupNeverTouchesABottleOutsideItsScope() {
        CleanupRequest r = CleanupRequest.remove().within(Set.of("mine"));
        assertFalse(r.covers("theirs"));
        assertTrue(r.keeps("theirs", DEAD, false), "even a dead owner's bottle of another home stays");
        assertFalse(r.keeps("mine", DEAD, false));
        assertTrue(CleanupRequest.remove().within(Set.of()).keeps("x", DEAD, false), "an empty scope is nothing");
    }

    @Test
    void anOwnerKnownGoneByItsLeaseLosesItsBottleUnlessItRunsDetached() {
        CleanupRequest r = CleanupRequest.remove().expiring(Set.of("a"));
        assertFalse(r.keeps("a", FOREIGN, true), "an expired lease: its running agent goes");
        assertTrue(r.keeps("b", FOREIGN, true), "another foreign bottle stays");
        assertTrue(r.keeps("a", FOREIGN_DETACHED, true), "a running detached bottle is its own");
        assertFalse(r.keeps("a", FOREIGN_DETACHED, false), "a detached one that never came up goes");
    }
}
