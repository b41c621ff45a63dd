package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bottles.bundle.internal.IdleTrim;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Egress trims once after a busy spell ends, never while busy or open, never twice for one spell. */
class IdleTrimTest {
    @Test
    void trimsOnceAQuietTickAfterTheLastConnectionAndNeverWhileBusy() {
        AtomicBoolean idle = new AtomicBoolean(true);
        IdleTrim t = new IdleTrim(idle::get);
        t.tick();
        assertEquals(0, t.trims(), "a proxy that never served anything has nothing to give back");
        t.accepted();
        t.tick();
        assertEquals(0, t.trims(), "a connection arrived during this tick: busy");
        idle.set(false);
        t.tick();
        assertEquals(0, t.trims(), "quiet, but a connection is still open");
        idle.set(true);
        t.tick();
        assertEquals(1, t.trims(), "quiet for a whole tick with nothing open: trimmed");
        t.tick();
        t.tick();
        assertEquals(1, t.trims(), "once per busy spell");
        t.accepted();
        t.accepted();
        t.tick();
        t.tick();
        assertEquals(2, t.trims(), "the next spell ends in its own trim");
    }
}
