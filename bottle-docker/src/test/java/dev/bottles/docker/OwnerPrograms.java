package dev.bottles.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bottles.docker.testimages.TestImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link OwnerProgram}s against one bottle home, each in a JVM of its own, and reads what they
 * print. {@link #close()} kills what still runs and removes every bottle they printed.
 */
final class OwnerPrograms implements AutoCloseable {
    private final Path home;
    private final List<Program> started = new CopyOnWriteArrayList<>();

    OwnerPrograms(Path home) {
        this.home = home;
    }

    /** One program: its process and every line it printed so far. */
    static final class Program {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Program(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the program is gone
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        long pid() {
            return process.pid();
        }

        /** Returns the first line printed with this prefix, without it. */
        Optional<String> line(String prefix) {
            return lines.stream()
                    .filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()))
                    .findFirst();
        }

        /** Waits for a line with this prefix and returns the rest, or fails when the program ends first. */
        String await(String prefix, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<String> l = line(prefix);
                if (l.isPresent()) {
                    return l.get();
                }
                if (!process.isAlive() && line(prefix).isEmpty()) {
                    Thread.sleep(200); // the reader may still be reading its last lines
                    return line(prefix).orElseThrow(() -> new AssertionError("the program ended before " + prefix));
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no " + prefix + " in " + limit + ": " + lines);
        }

        void kill() {
            process.destroyForcibly(); // kill -9: no hook runs
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts a program.
     *
     * @param mode {@link OwnerProgram}'s mode
     * @param jvmOptions options for its JVM, e.g. {@code -Dbottle.reaper=off}
     */
    Program start(String mode, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of(
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                OwnerProgram.class.getName(),
                home.toString(),
                TestImages.agent(),
                TestImages.bundle(),
                mode));
        Program p = new Program(new ProcessBuilder(command)
                .redirectError(
                        home.resolve("program-" + started.size() + ".err").toFile())
                .start());
        started.add(p);
        return p;
    }

    /** Waits for the program to launch its bottle and returns the bottle's identity. */
    String launched(Program p) throws Exception {
        String id = p.await("LAUNCHED ", Duration.ofMinutes(2));
        assertFalse(id.isEmpty(), "the program launched its bottle: " + errors());
        return id;
    }

    /** Returns what every program wrote on stderr. */
    String errors() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path f :
                    files.filter(f -> f.toString().endsWith(".err")).sorted().toList()) {
                b.append(Files.readString(f));
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (Program p : started) {
            p.kill();
        }
        for (Program p : started) {
            for (String l : p.lines) {
                for (String prefix : List.of("PREPARED ", "LAUNCHED ")) {
                    if (l.startsWith(prefix)) {
                        TestImages.removeLabelled(l.substring(prefix.length()));
                    }
                }
            }
        }
    }
}
