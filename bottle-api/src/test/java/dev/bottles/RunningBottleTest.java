package dev.bottles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.state.StateDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade's wrapper hands attach to the backend (which streams), not to the exec-based default. */
class RunningBottleTest {
    @TempDir
    Path dir;

    @Test
    void attachReachesTheBackendsOwnAttachAndNotExec() {
        List<String> calls = new ArrayList<>();
        BackendBottle backend = new BackendBottle() {
            @Override
            public String identity() {
                return "a-12345";
            }

            @Override
            public BottlePlan plan() {
                throw new UnsupportedOperationException();
            }

            @Override
            public ExecResult exec(List<String> argv, ExecOptions options) {
                calls.add("exec " + argv);
                return new ExecResult(0, "", "", Duration.ZERO);
            }

            @Override
            public int attach(List<String> argv, ExecOptions options) {
                calls.add("attach " + argv);
                return 42;
            }

            @Override
            public void close() {
                calls.add("close");
            }
        };
        RunningBottle t = new RunningBottle(
                backend, BottleEvents.silent("a-12345", "x"), new StateDir(dir.resolve("a-12345"), "a-12345").create());
        assertEquals(42, t.attach(List.of("claude"), ExecOptions.defaults()));
        assertEquals(List.of("attach [claude]"), calls);
        t.close();
        assertThrows(IllegalStateException.class, () -> t.attach(List.of("claude"), ExecOptions.defaults()));
    }
}
