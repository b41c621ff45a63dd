package dev.bottles.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BackendStatus;
import dev.bottles.BackendUnavailableException;
import dev.bottles.BottleException;
import dev.bottles.spi.Availability;
import dev.bottles.testing.ScriptedBackend;
import dev.bottles.testing.TestBackends;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSelectorTest {
    private final BackendSelector selector = new BackendSelector(getClass().getClassLoader());

    @AfterEach
    void reset() {
        ScriptedBackend.AVAILABILITY.clear();
        System.clearProperty(BackendSelector.PROPERTY);
    }

    private static BackendSelector.Request request(String spec, Map<String, String> env) {
        return BackendSelector.requested(spec, env);
    }

    @Test
    void highestPriorityAvailableBackendWins() {
        assertEquals("alpha", selector.select(null).id());
        ScriptedBackend.AVAILABILITY.put("alpha", Availability.unavailable("alpha is down"));
        assertEquals("beta", selector.select(null).id());
    }

    @Test
    void explicitChoiceBeatsPropertyBeatsEnvironment() {
        assertNull(request(" ", Map.of("BOTTLE_BACKEND", "")), "blank choices count as none");
        Map<String, String> env = Map.of("BOTTLE_BACKEND", "beta", "CLAUDE_BOTTLE_BACKEND", "alpha");
        assertEquals("beta", selector.select(request(null, env)).id());
        assertEquals(
                "alpha",
                selector.select(request(null, Map.of("CLAUDE_BOTTLE_BACKEND", "alpha")))
                        .id());
        System.setProperty(BackendSelector.PROPERTY, "alpha");
        assertEquals("alpha", selector.select(request(null, env)).id());
        assertEquals("the system property bottle.backend", request(null, env).source());
        assertEquals("beta", selector.select(request("beta", env)).id());
    }

    @Test
    void anExplicitChoiceIsNeverSwappedForAnother() {
        BackendUnavailableException e = assertThrows(
                BackendUnavailableException.class,
                () -> selector.select(request(null, Map.of("BOTTLE_BACKEND", "gamma"))));
        assertEquals(Map.of("gamma", "gamma is switched off"), e.reasons());
        assertTrue(e.getMessage().contains("requested by the BOTTLE_BACKEND environment variable"), e.getMessage());
    }

    @Test
    void anUnknownChoiceListsWhatIsThere() {
        BackendUnavailableException e =
                assertThrows(BackendUnavailableException.class, () -> selector.select(request("docker", Map.of())));
        assertTrue(e.getMessage().contains("no such backend is on the classpath"), e.getMessage());
        assertTrue(e.getMessage().endsWith("request one of: alpha, beta, gamma"), e.getMessage());
    }

    @Test
    void whenNoneIsAvailableEveryReasonIsListedIncludingBrokenProviders() {
        ScriptedBackend.AVAILABILITY.put("alpha", Availability.unavailable("alpha: engine not reachable"));
        ScriptedBackend.AVAILABILITY.put("beta", Availability.unavailable("beta: no KVM"));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> selector.select(null));
        assertEquals(
                List.of(
                        "alpha",
                        "beta",
                        "gamma",
                        "dev.bottles.testing.TestBackends$Broken",
                        "dev.bottles.testing.NoSuchBackend"),
                List.copyOf(e.reasons().keySet()));
        assertEquals("alpha: engine not reachable", e.reasons().get("alpha"));
        assertTrue(
                e.reasons().get("dev.bottles.testing.TestBackends$Broken").contains("missing native library"),
                e.reasons().toString());
        assertTrue(
                e.reasons().get("dev.bottles.testing.NoSuchBackend").contains("not found"),
                e.reasons().toString());
        assertTrue(
                e.getMessage().startsWith("no bottle backend is available:\n  - alpha: alpha: engine not reachable"),
                e.getMessage());
    }

    @Test
    void aProbeThatThrowsCountsAsUnavailable() {
        ScriptedBackend b = new ScriptedBackend() {
            @Override
            public Availability probe() {
                throw new IllegalStateException("socket vanished");
            }
        };
        Availability a = BackendSelector.probe(b);
        assertEquals(false, a.available());
        assertTrue(a.reason().contains("socket vanished"), a.reason());
    }

    @Test
    void statusesListEveryBackendThenBrokenProviders() {
        List<BackendStatus> s = selector.statuses();
        assertEquals(
                List.of(
                        "alpha",
                        "beta",
                        "gamma",
                        "dev.bottles.testing.TestBackends$Broken",
                        "dev.bottles.testing.NoSuchBackend"),
                s.stream().map(BackendStatus::id).toList());
        assertEquals(
                List.of(true, true, false, false, false),
                s.stream().map(x -> x.availability().available()).toList());
        assertEquals(10, s.get(0).priority());
    }

    @Test
    void duplicateIdsAreAnError(@TempDir Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services/dev.bottles.spi.BottleBackend");
        Files.createDirectories(services.getParent());
        Files.writeString(services, TestBackends.AlphaTwin.class.getName() + "\n");
        try (URLClassLoader cl =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            BottleException e = assertThrows(BottleException.class, () -> new BackendSelector(cl).discover());
            assertTrue(e.getMessage().contains("two bottle backends have the id 'alpha'"), e.getMessage());
            assertTrue(e.getMessage().contains("AlphaTwin"), e.getMessage());
        }
    }

    @Test
    void eachSelectionLoadsProvidersAfresh() {
        assertTrue(
                selector.discover().backends().get(0)
                        != selector.discover().backends().get(0),
                "no provider instance is shared between discoveries");
    }
}
