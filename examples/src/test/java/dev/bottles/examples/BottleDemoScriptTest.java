package dev.bottles.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision {@code ./bottle-demo} makes about what to install, run by bash against machines of
 * fake commands: a docker client with no engine behind it needs the engine package, not nothing.
 */
class BottleDemoScriptTest {
    @TempDir
    Path tmp;

    private List<String> missing(Map<String, String> commands, boolean build) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin-" + System.nanoTime()));
        for (Map.Entry<String, String> c : commands.entrySet()) {
            Path f = bin.resolve(c.getKey());
            Files.writeString(f, "#!/bin/sh\n" + c.getValue() + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path script = Path.of("..", "bottle-demo").toAbsolutePath().normalize();
        // only the fake commands and the shell's own helpers are on PATH
        Path helpers = Files.createDirectories(tmp.resolve("helpers-" + System.nanoTime()));
        for (String tool : List.of("grep")) {
            Files.createSymbolicLink(
                    helpers.resolve(tool), Path.of("/bin/" + tool).toRealPath());
        }
        ProcessBuilder pb = new ProcessBuilder(
                        "/bin/bash", "-c", "source \"$1\"; missing_packages " + (build ? 1 : 0), "x", script.toString())
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", bin + ":" + helpers);
        pb.environment().put("DOCKERD", tmp.resolve("no-dockerd").toString());
        Process q = pb.start();
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        q.waitFor();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void aDockerClientWithoutAnEngineNeedsTheEnginePackage() throws Exception {
        Map<String, String> tools = Map.of("docker", "exit 1", "javac", "true", "npm", "true", "mvn", "true");
        List<String> m = missing(tools, true);
        assertEquals("docker.io", m.get(0), m.toString());
    }

    @Test
    void anAnsweringEngineOrAnInstalledDaemonNeedsNoPackage() throws Exception {
        Map<String, String> answering = Map.of("docker", "exit 0", "javac", "true", "npm", "true", "mvn", "true");
        assertEquals(
                List.of(),
                missing(answering, true).stream()
                        .filter(s -> s.startsWith("docker"))
                        .toList());
        Map<String, String> daemon = Map.of("docker", "exit 1", "dockerd", "true", "javac", "true", "npm", "true");
        assertEquals(
                List.of(),
                missing(daemon, false).stream()
                        .filter(s -> s.startsWith("docker"))
                        .toList());
    }

    @Test
    void eachMissingToolNamesItsDebianPackage() throws Exception {
        List<String> m = missing(Map.of(), true);
        assertEquals(
                List.of("docker.io", "openjdk-17-jdk-headless", "npm", "maven"),
                m.stream().filter(s -> !s.equals("busybox-static")).toList());
        assertEquals(
                List.of(),
                missing(Map.of("docker", "exit 0", "javac", "true", "npm", "true"), false).stream()
                        .filter(s -> !s.equals("busybox-static"))
                        .toList(),
                "maven is needed only to build");
    }
}
