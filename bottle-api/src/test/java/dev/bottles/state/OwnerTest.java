package dev.bottles.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An owner is judged exactly on its own host and never taken for dead on another. */
class OwnerTest {
    @Test
    void theLabelRoundTrips() {
        Owner o = Owner.current();
        assertEquals(ProcessHandle.current().pid(), o.pid());
        assertEquals(Optional.of(o), Owner.parse(o.label()));
        assertEquals(Optional.empty(), Owner.parse("not-an-owner"));
        assertEquals(Optional.empty(), Owner.parse("h/x/1"));
        assertEquals(Optional.empty(), Owner.parse("/1/1"));
    }

    @Test
    void thisProcessIsAliveAndAFinishedOneIsNot() throws Exception {
        assertTrue(Owner.current().mayBeAlive());
        Process p = new ProcessBuilder("sleep", "30").start();
        ProcessHandle h = p.toHandle();
        Instant started = h.info().startInstant().orElseThrow();
        assertTrue(new Owner(Owner.localHost(), h.pid(), started).mayBeAlive(), "a process that runs");
        p.destroyForcibly().waitFor();
        assertFalse(new Owner(Owner.localHost(), h.pid(), started).mayBeAlive(), "a process that ended");
    }

    @Test
    void aReusedPidWithAnotherStartTimeIsNotTheOwner() {
        Owner me = Owner.current();
        assertFalse(new Owner(me.host(), me.pid(), me.started().minusSeconds(3600)).mayBeAlive());
    }

    @Test
    void anotherHostsOwnerIsNeverTakenForDead() {
        assertTrue(new Owner("some-other-host.example", 1, Instant.ofEpochMilli(1)).mayBeAlive());
    }

    @Test
    void theOwnerDecidesWhateverRunsAndWithoutOneARunningResourceKeepsItsBottle() {
        Owner dead = new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1));
        assertFalse(Owner.keeps(Map.of(Owner.LABEL, dead.label()), true), "a crashed owner's agent still runs");
        assertTrue(Owner.keeps(Map.of(Owner.LABEL, Owner.current().label()), false), "a launching bottle");
        assertTrue(Owner.keeps(Map.of(), true));
        assertFalse(Owner.keeps(Map.of(), false));
        assertTrue(Owner.keeps(Map.of(Owner.LABEL, "garbled"), false), "an unreadable owner is not judged dead");
    }

    @Test
    void aDetachedBottleIsLiveWhileItRunsOrWhileItsLauncherLaunchesIt() {
        Owner dead = new Owner(Owner.localHost(), Long.MAX_VALUE, Instant.ofEpochMilli(1));
        assertTrue(Owner.keeps(Map.of(Owner.LABEL, dead.label(true)), true), "running, its launcher gone");
        assertFalse(Owner.keeps(Map.of(Owner.LABEL, dead.label(true)), false), "stopped, its launcher gone");
        assertTrue(Owner.keeps(Map.of(Owner.LABEL, Owner.current().label(true)), false), "still launching");
        assertEquals("detached/" + Owner.current().label(), Owner.current().label(true));
    }
}
