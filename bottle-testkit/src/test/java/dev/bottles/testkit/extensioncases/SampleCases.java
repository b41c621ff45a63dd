package dev.bottles.testkit.extensioncases;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.RunningBottle;
import dev.bottles.state.BottleHome;
import dev.bottles.testkit.BottleTest;
import dev.bottles.testkit.FakeBackend;
import dev.bottles.testkit.TestBottles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Test classes run by {@code BottleExtensionTest} through the engine, not by Surefire (no Test suffix). */
public final class SampleCases {
    /** Homes and backends seen by the tests, in order. */
    public static final List<Object> SEEN = new CopyOnWriteArrayList<>();

    private SampleCases() {}

    /** Two well-behaved tests. */
    @BottleTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    public static class TwoTests {
        @Test
        @Order(1)
        void first(TestBottles bottles, FakeBackend fake, BottleHome home) {
            SEEN.add(home.root());
            SEEN.add(fake);
            assertTrue(bottles.home().equals(home) && bottles.backend() == fake);
            try (RunningBottle b = bottles.prepare(TestBottles.DEFAULT_AGENT).launch()) {
                assertTrue(Files.exists(home.state(b.identity()).path()));
            }
        }

        @Test
        @Order(2)
        void second(BottleHome home, FakeBackend fake) {
            SEEN.add(home.root());
            SEEN.add(fake);
            assertFalse(Files.exists((Path) SEEN.get(0)), "the first test's home is gone");
            assertTrue(fake.events().isEmpty(), "a fresh backend");
        }
    }

    /** A test that forgets to close its bottle. */
    @BottleTest
    public static class Leaky {
        @Test
        void forgetsToClose(TestBottles bottles) {
            bottles.prepare(TestBottles.DEFAULT_AGENT).launch();
        }
    }
}
