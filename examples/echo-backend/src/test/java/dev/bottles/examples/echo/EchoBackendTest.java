package dev.bottles.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BackendUnavailableException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plug-in found by ServiceLoader alone: by id, by priority, and refused with its reason when off. */
class EchoBackendTest {
    @TempDir
    Path home;

    @AfterEach
    void off() {
        System.clearProperty(EchoBackend.SWITCH);
    }

    private BottleSpec.Builder spec(Map<String, String> env) {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("b").build())
                .agent(AgentDefinition.builder("a").bottle("b").build())
                .build();
        return BottleSpec.builder("a").manifest(m).home(home).userCwd(home).hostEnvironment(env);
    }

    @Test
    void bottleBackendNamesItAndItRuns() {
        System.setProperty(EchoBackend.SWITCH, "true");
        PreparedBottle p =
                Bottles.prepare(spec(Map.of("BOTTLE_BACKEND", "echo")).build());
        assertEquals("echo", p.backend().id());
        try (RunningBottle b = p.launch()) {
            assertEquals(
                    "hello from a plug-in\n",
                    b.exec("hello", "from", "a", "plug-in").stdout());
            assertTrue(Bottles.backends().stream().anyMatch(s -> s.id().equals("echo")));
        }
    }

    @Test
    void itWinsDiscoveryByPriorityWhenAvailable() {
        System.setProperty(EchoBackend.SWITCH, "true");
        PreparedBottle p = Bottles.prepare(spec(Map.of()).build());
        assertEquals("echo", p.backend().id(), "priority " + EchoBackend.PRIORITY + " beats every other backend here");
        p.discard();
    }

    @Test
    void askedForWhileOffItIsRefusedWithItsReason() {
        BackendUnavailableException e = assertThrows(
                BackendUnavailableException.class,
                () -> Bottles.prepare(spec(Map.of("BOTTLE_BACKEND", "echo")).build()));
        assertTrue(
                e.getMessage().contains("the echo backend is off; start the JVM with -Dbottles.echo.available=true"),
                e.getMessage());
        assertTrue(e.getMessage().contains("BOTTLE_BACKEND"), "it says where the choice came from: " + e.getMessage());
    }
}
