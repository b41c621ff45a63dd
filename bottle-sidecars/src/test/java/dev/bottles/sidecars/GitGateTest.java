package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitGateTest {
    private static final String KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    @TempDir
    Path tmp;

    private Path key(String name, String content) throws Exception {
        Path k = tmp.resolve(name);
        Files.writeString(k, content);
        return k;
    }

    @Test
    void theGateGetsItsOwnPrivateCopyOfEachKey() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("git-gate"));
        BottleDefinition b = BottleDefinition.builder("dev")
                .git(new GitRemote(
                        "app", GitUpstream.parse("ssh://git@github.com/me/app.git"), key("k1", "KEY-ONE"), KEY))
                .git(new GitRemote(
                        "lib", GitUpstream.parse("ssh://git@git.example:2222/me/lib"), key("k2", "KEY-TWO"), null))
                .build();
        GitGatePlan plan = new GitGate().prepare(b, "x-1", dir);

        assertArrayEquals(
                "KEY-ONE".getBytes(), Files.readAllBytes(plan.keysDir().resolve("app")));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(plan.keysDir().resolve("lib"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plan.keysDir())));
        assertEquals(plan.config(), GitGateConfig.read(plan.configFile()));
        assertTrue(plan.config().repo("app.git").orElseThrow().hostKeyPinned());
        assertFalse(plan.config().repo("lib").orElseThrow().hostKeyPinned());
        assertEquals(Optional.empty(), plan.config().repo("other"));
        assertTrue(Files.readString(plan.knownHosts()).contains("\ngithub.com " + KEY + "\n"), "port 22: bare host");
    }

    @Test
    void agentConfigCoversEverySpellingOfTheUpstream() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("git-gate"));
        BottleDefinition b = BottleDefinition.builder("dev")
                .git(new GitRemote("app", GitUpstream.parse("ssh://git@github.com/me/app.git"), key("k", "K"), null))
                .build();
        BundleAccess access = BundleAccess.mint();
        String cfg = new GitGate().prepare(b, "x-1", dir).agentGitConfig(new HostPort("127.0.0.1", 40001), access);
        assertTrue(cfg.contains("[url \"git://127.0.0.1:40001/" + access.token() + "/app\"]\n"), cfg);
        for (String from : new String[] {
            "ssh://git@github.com/me/app.git",
            "ssh://git@github.com:22/me/app.git",
            "git@github.com:me/app.git",
            "git@github.com:me/app"
        }) {
            assertTrue(cfg.contains("\tinsteadOf = " + from + "\n"), from + " in\n" + cfg);
        }
    }

    @Test
    void aMalformedHostKeyIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("git-gate"));
        BottleDefinition b = BottleDefinition.builder("dev")
                .git(new GitRemote("app", GitUpstream.parse("ssh://h.example/r"), key("k", "K"), "AAAA..."))
                .build();
        ManifestException e = assertThrows(ManifestException.class, () -> new GitGate().prepare(b, "x-1", dir));
        assertEquals(Optional.of("git[0].KnownHostKey"), e.field());
        assertTrue(e.fix().contains("ssh-keyscan"), e.fix());
    }

    @Test
    void configFilesOfAnotherVersionAreRefusedByName() {
        BottleException gate = assertThrows(
                BottleException.class, () -> GitGateConfig.parse("{\"version\": 99, \"repos\": []}", "gate.json"));
        assertTrue(gate.getMessage().startsWith("gate.json: unsupported version 99"), gate.getMessage());
        BottleException supervise =
                assertThrows(BottleException.class, () -> SuperviseConfig.parse("{\"version\": 99}", "supervise.json"));
        assertTrue(
                supervise.getMessage().contains("supervise.json: unsupported version 99 (this build reads "),
                supervise.getMessage());
    }
}
