package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.docker.testimages.TestImages;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code bottle start} of a bottle with a {@code ?} secret (the original's own example), in a real
 * terminal: asked without echo, the value reaches the agent, and it is on no argv and in no file.
 */
class SecretPromptIT {
    @Test
    void aSecretIsAskedWithoutEchoReachesTheAgentAndIsOnNoArgvOrFile() throws Exception {
        TestImages.requireEngine();
        Path dir = Files.createTempDirectory("bottles-secret-");
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("bottles/gitea.md"), """
                ---
                env:
                  GITEA_TOKEN: "?paste your Gitea API token"
                ---
                """);
        Files.writeString(home.resolve("agents/gitea.md"), "---\nbottle: gitea\n---\n");
        String secret = "gt-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String sha = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        Path exit = dir.resolve("exit");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (Tmux tmux = new Tmux()) {
            tmux.run(
                    "new-session",
                    "-d",
                    "-s",
                    "s",
                    "-x",
                    "160",
                    "-y",
                    "40",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    javaBin + " -jar " + Path.of("target/bottle.jar").toAbsolutePath() + " start gitea --yes"
                            + " --set CLAUDE_BOTTLE_IMAGE=" + TestImages.agent()
                            + " --set CLAUDE_BOTTLE_SIDECAR_IMAGE=" + TestImages.bundle()
                            + " -- sh -c 'echo agent-sees-$(printf %s \"$GITEA_TOKEN\" | sha256sum | cut -c1-64);"
                            + " sleep 6'; echo $? > " + exit + "; sleep 600");
            tmux.await(s -> s.contains("paste your Gitea API token (GITEA_TOKEN, not echoed):"), Duration.ofMinutes(2));
            tmux.run("send-keys", "-t", "s", "-l", secret);
            tmux.run("send-keys", "-t", "s", "Enter");
            String screen = tmux.await(
                    s -> Pattern.compile("agent-sees-[0-9a-f]{64}").matcher(s).find(), Duration.ofMinutes(3));
            assertTrue(screen.contains("agent-sees-" + sha), "the typed value reached the agent:\n" + screen);
            assertFalse(screen.contains(secret), "the secret was not echoed:\n" + screen);

            // while the agent runs: no process argv on the host, no container config, no file holds it
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .toList()) {
                    try {
                        String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                        assertFalse(cmdline.contains(secret), "the secret is on the argv of " + p + ": " + cmdline);
                    } catch (IOException gone) {
                        // the process ended
                    }
                }
            }
            // the agent's container config never holds it (the bundle does, root-only, for egress's DLP scan)
            String inspect = Tmux.exec(List.of(
                    "sh", "-c", "docker ps -q --filter label=dev.bottles.role=agent" + " | xargs -r docker inspect"));
            assertTrue(inspect.contains("\"dev.bottles.role\": \"agent\""), inspect);
            assertFalse(inspect.contains(secret), "the agent container's config does not hold the secret");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(
                            Files.readString(f, StandardCharsets.ISO_8859_1).contains(secret), "the secret is in " + f);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(exit) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals("0", Files.readString(exit).strip(), tmux.screen());
        } finally {
            SecureFiles.deleteRecursively(dir);
        }
    }

    @Test
    void withoutATerminalTheErrorNamesTheVariableAndHowToForwardIt() throws Exception {
        Path dir = Files.createTempDirectory("bottles-secret-");
        try {
            CliFixture cli = new CliFixture(dir);
            Files.writeString(cli.home.resolve("bottles/demo.md"), """
                    ---
                    env:
                      GITEA_TOKEN: "?paste your Gitea API token"
                    ---
                    """);
            CliFixture.Run r =
                    cli.run("", "start", "demo", "--yes", "--backend", "fake", "--home", cli.home.toString());
            assertTrue(
                    r.err().contains("GITEA_TOKEN")
                            && r.err().contains("no terminal")
                            && r.err().contains("GITEA_TOKEN: \"${GITEA_TOKEN}\""),
                    r.err());
            assertFalse(r.err().contains("BottleSpec"), "advice for a terminal user, not for Java code: " + r.err());
        } finally {
            SecureFiles.deleteRecursively(dir);
        }
    }
}
