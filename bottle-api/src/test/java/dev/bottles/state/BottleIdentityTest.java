package dev.bottles.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BottleIdentityTest {

    @Test
    void freshIdentityIsTheSlugADashAndFiveRandomCharacters() {
        for (int i = 0; i < 200; i++) {
            String id = BottleIdentity.fresh("researcher").value();
            assertTrue(id.matches("researcher-[a-z0-9]{5}"), id);
        }
    }

    @Test
    void freshIdentitiesDifferAndAreReproducibleFromASeed() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(BottleIdentity.fresh("a").value());
        }
        assertTrue(seen.size() > 990, "collisions among 1000 fresh identities: " + (1000 - seen.size()));
        assertEquals(BottleIdentity.fresh("a", new Random(7)), BottleIdentity.fresh("a", new Random(7)));
        assertNotEquals(BottleIdentity.fresh("a", new Random(7)), BottleIdentity.fresh("a", new Random(8)));
    }

    @Test
    void slugifyKeepsIdentitiesSafeForEveryRuntimeName() {
        assertEquals("code-reviewer", BottleIdentity.slugify("Code Reviewer"));
        assertEquals("a-b", BottleIdentity.slugify("--a__b--"));
        assertEquals("agent", BottleIdentity.slugify("日本語"));
        assertEquals(40, BottleIdentity.slugify("x".repeat(100)).length());
        assertEquals("x".repeat(39), BottleIdentity.slugify("x".repeat(39) + " y"), "a cut never ends in a dash");
    }

    @Test
    void givenIdentitiesAreValidated() {
        assertEquals("researcher-m3hxd", BottleIdentity.of("researcher-m3hxd").value());
        for (String bad : new String[] {"", "-x", "x-", "A-b", "a/b", "a..b", "x".repeat(64)}) {
            assertThrows(BottleException.class, () -> BottleIdentity.of(bad), bad);
        }
    }
}
