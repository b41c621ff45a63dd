package dev.bottles.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void directoriesAre0700AndPrivateFiles0600() throws IOException {
        BottleHome home = new BottleHome(tmp.resolve("home"));
        StateDir s = home.state("coder-ab12c").create();
        Path egress = s.egressDir();
        SecureFiles.writePrivate(egress.resolve("key.pem"), "secret");
        SecureFiles.writePublic(egress.resolve("ca.pem"), "cert".getBytes());

        for (Path dir : List.of(home.root(), home.stateRoot(), s.path(), egress)) {
            assertEquals("rwx------", mode(dir), dir.toString());
        }
        assertEquals("rw-------", mode(egress.resolve("key.pem")));
        assertEquals("rw-r--r--", mode(egress.resolve("ca.pem")));
    }

    @Test
    void deletingAStateTakesItsSuperviseQueueAndNoOtherBottles() throws IOException {
        BottleHome home = new BottleHome(tmp.resolve("home"));
        StateDir s = home.state("coder-ab12c").create();
        for (Path d : new Path[] {home.queueDir("coder-ab12c"), home.queueDir("coder-zz99z"), s.transcriptDir()}) {
            SecureFiles.createPrivateDirectories(d);
        }
        SecureFiles.writePrivate(home.queueDir("coder-ab12c").resolve("p1.json"), "{}");
        SecureFiles.writePrivate(home.queueDir("coder-zz99z").resolve("p1.json"), "{}");
        SecureFiles.writePrivate(s.transcriptDir().resolve("projects.tar"), "t");
        s.delete();
        assertFalse(Files.exists(s.path()));
        assertFalse(Files.exists(home.queueDir("coder-ab12c")), "the queue goes with the state");
        assertTrue(Files.exists(home.queueDir("coder-zz99z").resolve("p1.json")), "another bottle's queue stays");
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        Path dir = SecureFiles.createPrivateDirectories(tmp.resolve("d"));
        Path f = dir.resolve("agent.env");
        for (int i = 0; i < 20; i++) {
            SecureFiles.writePrivate(f, "A=" + i + "\n");
        }
        assertEquals("A=19\n", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
        assertThrows(BottleException.class, () -> SecureFiles.writePrivate(tmp.resolve("missing/x"), "y"));
    }

    @Test
    void metadataRoundTripsInTheOriginalsFormat() throws IOException {
        StateDir s = new BottleHome(tmp).state("researcher-m3hxd");
        BottleMetadata m = new BottleMetadata(
                "researcher-m3hxd",
                "researcher",
                "/work/p",
                true,
                Instant.parse("2026-05-27T05:42:20.123456Z"),
                "claude-bottle-researcher-m3hxd",
                "docker");
        s.writeMetadata(m);
        assertEquals("rw-------", mode(s.metadataFile()));
        String json = Files.readString(s.metadataFile());
        assertTrue(json.contains("\"started_at\" : \"2026-05-27T05:42:20.123456+00:00\""), json);
        assertTrue(json.contains("\"agent_name\" : \"researcher\""), json);
        assertEquals(m, s.readMetadata().orElseThrow());
    }

    @Test
    void metadataWrittenByThePythonOriginalIsRead() throws IOException {
        StateDir s = new BottleHome(tmp).state("coder-zz9zz").create();
        Files.writeString(s.metadataFile(), """
                {"identity": "coder-zz9zz", "agent_name": "coder", "cwd": "", "copy_cwd": false,
                 "started_at": "2026-05-27T09:00:01.000001+00:00", "compose_project": "", "label": "x",
                 "color": "red"}
                """);
        BottleMetadata m = s.readMetadata().orElseThrow();
        assertEquals("docker", m.backend(), "before 'backend' was recorded every bottle was docker");
        assertEquals(Instant.parse("2026-05-27T09:00:01.000001Z"), m.startedAt());
        Files.writeString(s.metadataFile(), "{\"identity\": \"coder-zz9zz\"}");
        BottleException e = assertThrows(BottleException.class, s::readMetadata);
        assertTrue(e.getMessage().contains("lacks 'agent_name'"), e.getMessage());
    }

    @Test
    void preserveMarkerAndDeletionFollowTheTeardownRule() {
        StateDir s = new BottleHome(tmp).state("coder-aaaaa").create();
        assertFalse(s.isPreserved());
        s.preserve();
        assertTrue(s.isPreserved());
        s.clearPreserve();
        s.clearPreserve();
        assertFalse(s.isPreserved());
        s.delete();
        assertFalse(s.exists());
        s.delete();
    }

    @Test
    void homeResolutionPrefersCodeThenPropertyThenEnvironment() {
        Path explicit = tmp.resolve("explicit");
        assertEquals(
                explicit,
                BottleHome.resolve(explicit, Map.of("BOTTLE_HOME", "/env")).root());
        assertEquals(
                Path.of("/env"),
                BottleHome.resolve(null, Map.of("BOTTLE_HOME", "/env")).root());
        String old = System.getProperty(BottleHome.PROPERTY);
        System.setProperty(BottleHome.PROPERTY, tmp.resolve("prop").toString());
        try {
            assertEquals(
                    tmp.resolve("prop"),
                    BottleHome.resolve(null, Map.of("BOTTLE_HOME", "/env")).root());
        } finally {
            if (old == null) {
                System.clearProperty(BottleHome.PROPERTY);
            } else {
                System.setProperty(BottleHome.PROPERTY, old);
            }
        }
        assertEquals(
                Path.of(System.getProperty("user.home"), ".claude-bottle"),
                BottleHome.resolve(null, Map.of()).root());
    }

    @Test
    void statesListsOnlyIdentityDirectories() throws IOException {
        BottleHome home = new BottleHome(tmp);
        home.state("a-11111").create();
        home.state("b-22222").create();
        Files.createDirectories(home.stateRoot().resolve("Not_An_Identity"));
        Files.writeString(home.stateRoot().resolve("c-33333"), "a file");
        assertEquals(
                List.of("a-11111", "b-22222"),
                home.states().stream().map(StateDir::identity).toList());
        assertThrows(BottleException.class, () -> home.state("../escape"));
    }
}
