package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.dockerengine.TestTransports;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything a prepared bottle writes under its home is private to its user: directories 0700,
 * files 0600; the bundle reads its files as their owner. (Launch adds one exception, the agent's
 * {@code resolv.conf}, mounted into the agent whose user is not the host's: {@code OwnershipIT}.)
 */
class StateFileModesTest {
    @TempDir
    Path home;

    @Test
    void everythingPrepareWritesIsPrivate() throws IOException {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .supervise(true)
                        .fromHost("GH", "GH_PAT")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("API_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("coder")
                        .bottle("dev")
                        .prompt("p")
                        .build())
                .build();
        BottleSpec spec = BottleSpec.builder("coder")
                .manifest(m)
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of("GH_PAT", "pat", "API_TOKEN", "tok"))
                .build();
        Bottles.using(new DockerBackend(TestTransports.engine(Set.of(), Set.of("runc"), Set.of())))
                .prepare(spec);
        Map<String, String> open = new TreeMap<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(home)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String expected = Files.isDirectory(p) ? "rwx------" : "rw-------";
                files += Files.isRegularFile(p) ? 1 : 0;
                if (!mode.equals(expected) && !p.equals(home)) {
                    open.put(home.relativize(p).toString(), mode);
                }
            }
        }
        assertTrue(files >= 8, "prepare wrote the bottle's files (" + files + ")");
        assertEquals(Map.of(), open, "nothing prepare writes is readable by others");
    }
}
