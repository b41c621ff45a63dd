package dev.bottles.testkit.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The fake smolvm's state directory: {@code config.json} (version), {@code machines/<name>.json},
 * {@code invocations.jsonl} (one argv per line), {@code failures.json} (injected failures) and
 * {@code roots/<name>/} (each machine's files). Every change happens under an exclusive lock on
 * {@code .lock}, so concurrent invocations behave like smolvm's serialized database.
 */
public final class SmolvmState {
    /** The environment variable the launcher sets to the state directory. */
    public static final String ENV = "FAKE_SMOLVM_STATE";
    /** The version printed by default, the one {@code docs/smolvm.md} was written against. */
    public static final String DEFAULT_VERSION = "1.9.2";
    /** File locks are per process; threads of one JVM also take this one. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    /**
     * Opens (and creates) a state directory.
     *
     * @param dir the directory
     */
    public SmolvmState(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("machines"));
            Files.createDirectories(dir.resolve("roots"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One machine's record.
     *
     * @param name the name
     * @param state created, running or stopped
     * @param pid the fake PID while running, else null
     * @param cpus vCPUs
     * @param memoryMib memory
     * @param from the {@code .smolmachine} it was created from, or null
     * @param image the image ref it was created from, or null
     * @param env the {@code -e} entries, resolved
     * @param secretEnv guest variable to host variable, resolved at exec
     * @param labels the labels
     * @param allowCidrs the {@code --allow-cidr} entries
     * @param allowHosts the {@code --allow-host} entries
     * @param network whether it has a network
     * @param workdir the {@code -w} directory, or null
     * @param volumes the {@code -v} entries
     * @param cmd the workload after {@code --}
     * @param createdAt unix seconds
     */
    public record Machine(
            String name,
            String state,
            @Nullable Long pid,
            int cpus,
            int memoryMib,
            @Nullable String from,
            @Nullable String image,
            Map<String, String> env,
            Map<String, String> secretEnv,
            Map<String, String> labels,
            List<String> allowCidrs,
            List<String> allowHosts,
            boolean network,
            @Nullable String workdir,
            List<String> volumes,
            List<String> cmd,
            long createdAt) {

        Machine withState(String newState, @Nullable Long newPid) {
            return new Machine(
                    name,
                    newState,
                    newPid,
                    cpus,
                    memoryMib,
                    from,
                    image,
                    env,
                    secretEnv,
                    labels,
                    allowCidrs,
                    allowHosts,
                    network,
                    workdir,
                    volumes,
                    cmd,
                    createdAt);
        }
    }

    /**
     * An injected failure.
     *
     * @param command e.g. {@code machine start}
     * @param exitCode the exit code
     * @param stderr what is printed on stderr
     */
    public record Failure(String command, int exitCode, String stderr) {}

    /**
     * Runs an action holding the state's lock.
     *
     * @param action the action
     * @param <T> its result type
     * @return its result
     */
    public <T> T locked(Supplier<T> action) {
        IN_PROCESS.lock();
        try (FileChannel ch =
                FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            try {
                return action.get();
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /**
     * Returns the version {@code --version} prints.
     *
     * @return e.g. {@code 1.9.2}
     */
    public String version() {
        Path f = dir.resolve("config.json");
        try {
            return Files.exists(f)
                    ? JSON.readTree(f.toFile()).path("version").asText(DEFAULT_VERSION)
                    : DEFAULT_VERSION;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets the version {@code --version} prints.
     *
     * @param version e.g. {@code 1.8.0}
     */
    public void setVersion(String version) {
        write(dir.resolve("config.json"), Map.of("version", version));
    }

    /**
     * Appends an invocation's argv to the log.
     *
     * @param argv the arguments after {@code smolvm}
     */
    public void log(List<String> argv) {
        try {
            Files.writeString(
                    dir.resolve("invocations.jsonl"),
                    JSON.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(argv) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the invocation log.
     *
     * @return each invocation's argv, in order
     */
    public List<List<String>> invocations() {
        Path f = dir.resolve("invocations.jsonl");
        List<List<String>> out = new ArrayList<>();
        try {
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    out.add(JSON.readValue(line, new TypeReference<List<String>>() {}));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Queues a failure for the next invocation of a command.
     *
     * @param f the failure
     */
    public void addFailure(Failure f) {
        List<Failure> all = new ArrayList<>(failures());
        all.add(f);
        write(dir.resolve("failures.json"), all);
    }

    /**
     * Takes the first queued failure for a command, if any.
     *
     * @param command e.g. {@code machine start}
     * @return the failure, removed from the queue
     */
    public Optional<Failure> takeFailure(String command) {
        List<Failure> all = new ArrayList<>(failures());
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).command().equals(command)) {
                Failure f = all.remove(i);
                write(dir.resolve("failures.json"), all);
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private List<Failure> failures() {
        Path f = dir.resolve("failures.json");
        try {
            return Files.exists(f) ? JSON.readValue(f.toFile(), new TypeReference<List<Failure>>() {}) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Looks a machine up.
     *
     * @param name the name
     * @return the record, if the machine exists
     */
    public Optional<Machine> machine(String name) {
        Path f = dir.resolve("machines").resolve(name + ".json");
        try {
            return Files.exists(f) ? Optional.of(JSON.readValue(f.toFile(), Machine.class)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a machine's record.
     *
     * @param m the record
     */
    public void save(Machine m) {
        write(dir.resolve("machines").resolve(m.name() + ".json"), m);
    }

    /**
     * Removes a machine's record and files.
     *
     * @param name the name
     */
    public void delete(String name) {
        try {
            Files.deleteIfExists(dir.resolve("machines").resolve(name + ".json"));
            SecureFiles.deleteRecursively(root(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lists every machine, by name.
     *
     * @return the records
     */
    public List<Machine> machines() {
        try (Stream<Path> s = Files.list(dir.resolve("machines"))) {
            List<Machine> out = new ArrayList<>();
            for (Path f : s.sorted().toList()) {
                out.add(JSON.readValue(f.toFile(), Machine.class));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns the directory standing in for a machine's filesystem.
     *
     * @param name the machine
     * @return the directory
     */
    public Path root(String name) {
        return dir.resolve("roots").resolve(name);
    }

    private static void write(Path f, Object value) {
        try {
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), value);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
