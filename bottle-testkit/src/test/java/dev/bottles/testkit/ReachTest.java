package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ReachedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator reaching a bottle from outside the program that launched it, on the fake backend. */
class ReachTest {
    @TempDir
    Path home;

    private final FakeBackend fake = new FakeBackend();

    private BottleSpec spec() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev").build())
                .agent(AgentDefinition.builder("coder").bottle("dev").build())
                .build();
        return BottleSpec.builder("coder").manifest(m).home(home).userCwd(home).build();
    }

    @Test
    void aStopGoesThroughTheLaunchingProgramWhichKeepsTheStateAndClosesTheBottle() {
        RunningBottle b = Bottles.using(fake).prepare(spec()).launch();
        BottleHome bh = new BottleHome(home);
        ReachedBottle r = Bottles.reach(b.identity(), bh);
        assertTrue(r.ownerAnswers(), "the launching program answers on its control socket");
        assertEquals("fake", r.backend());
        assertEquals(
                List.of("claude", "--dangerously-skip-permissions", "--continue"),
                r.agentCommand(),
                "Claude Code resumes its conversation");
        assertTrue(fake.running().contains(b.identity()));
        r.stop();
        assertFalse(fake.running().contains(b.identity()), "the program that launched it closed it");
        assertTrue(bh.state(b.identity()).isPreserved(), "its state is kept for resume");
        assertThrows(IllegalStateException.class, () -> b.exec("true"), "the launching program sees it closed");
        assertFalse(Files.exists(bh.state(b.identity()).path().resolve("control.sock")), "its door is gone");

        ReachedBottle again = Bottles.reach(b.identity(), bh);
        assertFalse(again.ownerAnswers());
        bh.state(b.identity()).clearPreserve();
        BottleException e = assertThrows(BottleException.class, again::stop);
        assertFalse(bh.state(b.identity()).isPreserved(), "stopping nothing marks nothing kept");
        assertTrue(
                e.getMessage().contains("is not running on fake")
                        && e.getMessage().contains("bottle resume"),
                e.getMessage());
    }

    @Test
    void aBottleOfNoHomeIsNamedWithTheFix() {
        BottleException e =
                assertThrows(BottleException.class, () -> Bottles.reach("coder-zzzzz", new BottleHome(home)));
        assertTrue(
                e.getMessage().contains("no bottle 'coder-zzzzz' in bottle home")
                        && e.getMessage().contains("--home"),
                e.getMessage());
        assertThrows(
                BottleException.class,
                () -> Bottles.reach("../etc", new BottleHome(home)),
                "an identity is never a path");
    }
}
