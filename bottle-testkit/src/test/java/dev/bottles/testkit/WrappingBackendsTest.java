package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Bottles;
import dev.bottles.Phase;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@BottleTest
class WrappingBackendsTest {

    @Test
    void recordingBackendSeesEveryCallInOrder(TestBottles bottles, FakeBackend fake) {
        RecordingBackend rec = new RecordingBackend(fake);
        RunningBottle b = Bottles.using(rec)
                .prepare(bottles.spec(TestBottles.DEFAULT_AGENT).build())
                .launch();
        b.exec("echo", "a");
        b.settle(0);
        assertEquals(List.of("prepare", "launch", "exec", "settle"), rec.methods());
        assertEquals(List.of("echo", "a"), rec.calls().get(2).argv());
        assertTrue(rec.calls().stream().allMatch(c -> c.identity().equals(b.identity())));
        assertEquals("fake", rec.id());
    }

    @Test
    void aLaunchFailureReachesYourCodeAndLeavesNothing(TestBottles bottles, FakeBackend fake) {
        BottleLaunchException boom = new BottleLaunchException("x", "start-agent", "no such image", null);
        FailingBackend failing = new FailingBackend(fake, Phase.LAUNCH, () -> boom);
        PreparedBottle p = Bottles.using(failing)
                .prepare(bottles.spec(TestBottles.DEFAULT_AGENT).build());
        assertSame(boom, assertThrows(BottleLaunchException.class, p::launch));
        assertFalse(Files.exists(bottles.home().state(p.identity()).path()), "the facade removed the fresh state");
        assertTrue(fake.running().isEmpty(), "the failure came before the delegate created anything");
    }

    @Test
    void anExecFailureReachesTheCaller(TestBottles bottles, FakeBackend fake) {
        FailingBackend failing = new FailingBackend(fake, Phase.EXEC, () -> new BottleException("engine went away"));
        try (RunningBottle b = Bottles.using(failing)
                .prepare(bottles.spec(TestBottles.DEFAULT_AGENT).build())
                .launch()) {
            assertEquals(
                    "engine went away",
                    assertThrows(BottleException.class, () -> b.exec("echo")).getMessage());
        }
    }

    @Test
    @BottleTest(failOnLeaks = false)
    void aTeardownFailureKeepsTheStateForInspection(TestBottles bottles, FakeBackend fake) {
        FailingBackend failing = new FailingBackend(fake, Phase.CLOSE, () -> new BottleException("cannot remove"));
        RunningBottle b = Bottles.using(failing)
                .prepare(bottles.spec(TestBottles.DEFAULT_AGENT).build())
                .launch();
        assertEquals(
                "cannot remove", assertThrows(BottleException.class, b::close).getMessage());
        assertTrue(Files.exists(bottles.home().state(b.identity()).path()), "state is kept when teardown failed");
        assertEquals(Set.of(b.identity()), fake.running());
    }

    @Test
    void aProbeFailureIsTheChosenException(FakeBackend fake) {
        FailingBackend failing = new FailingBackend(fake, Phase.SELECT, () -> new IllegalStateException("socket gone"));
        assertEquals(
                "socket gone",
                assertThrows(IllegalStateException.class, failing::probe).getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new FailingBackend(fake, Phase.VALIDATE, IllegalStateException::new));
    }
}
