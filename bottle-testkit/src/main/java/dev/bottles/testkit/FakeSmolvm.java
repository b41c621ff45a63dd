package dev.bottles.testkit;

import dev.bottles.BottleException;
import dev.bottles.testkit.internal.FakeSmolvmMain;
import dev.bottles.testkit.internal.SmolvmState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fake {@code smolvm} executable that follows the CLI contract the smolmachines backend drives
 * ({@code docs/smolvm.md} §1, §2): {@code --version}, {@code pack create}, {@code machine create},
 * {@code start}, {@code exec}, {@code stop}, {@code delete} (which without {@code -f} prompts and,
 * on a closed stdin, prints {@code Cancelled} and deletes nothing), {@code ls --json} and
 * {@code status --json}, with their outputs, exit codes and {@code Error: } texts.
 *
 * <p>{@link #install(Path)} writes a launcher script, {@code bin/smolvm}, runnable as a plain
 * executable on {@code PATH}; it runs the fake in a new JVM on this JVM's class path. Its state
 * (machines, the argv of every invocation, queued failures) lives in the directory given.
 * {@code machine exec} runs the command as a host process with the machine's environment, which is
 * enough to test environment propagation and exit codes; the machine's "filesystem" is a directory.
 *
 * <pre>{@code
 * FakeSmolvm smolvm = FakeSmolvm.install(tmp);
 * smolvm.failNext("machine start", FakeSmolvm.Failure.KVM_NOT_AVAILABLE);
 * // run the backend with SMOLVM=smolvm.executable(), then:
 * assertEquals(List.of("--version"), smolvm.invocations().get(0));
 * }</pre>
 */
public final class FakeSmolvm {
    private final Path home;
    private final SmolvmState state;

    private FakeSmolvm(Path home) {
        this.home = home;
        this.state = new SmolvmState(home.resolve("state"));
    }

    /**
     * A failure the next invocation of a command reports instead of doing its work.
     *
     * @param exitCode the exit code
     * @param stderr what it prints on standard error
     */
    public record Failure(int exitCode, String stderr) {
        /** No {@code /dev/kvm} ({@code docs/smolvm.md} §2). */
        public static final Failure KVM_NOT_AVAILABLE = new Failure(
                1,
                "Error: agent operation failed: start machine:"
                        + " kvm not available: KVM not available. Ensure KVM kernel module is loaded.\nTry: sudo modprobe kvm");
        /** {@code /dev/kvm} not accessible ({@code docs/smolvm.md} §2). */
        public static final Failure KVM_PERMISSION_DENIED = new Failure(
                1,
                "Error: agent operation failed: start machine:"
                        + " kvm permission denied: Cannot access /dev/kvm (permission denied).\nAdd your user to the 'kvm'"
                        + " group: sudo usermod -aG kvm $USER");

        /**
         * Validates the failure.
         *
         * @param exitCode the exit code
         * @param stderr the standard error text
         */
        public Failure {
            Objects.requireNonNull(stderr, "stderr");
        }

        /**
         * Returns the failure of an image that cannot be pulled.
         *
         * @param image the image
         * @return the failure
         */
        public static Failure pullImage(String image) {
            return new Failure(
                    1,
                    "Error: agent operation failed: pull image: failed to pull image '" + image
                            + "': manifest unknown");
        }

        /**
         * Returns the failure of a machine another process is already starting.
         *
         * @param name the machine
         * @return the failure
         */
        public static Failure anotherProcessStarting(String name) {
            return new Failure(
                    1,
                    "Error: agent operation failed: start machine: start agent: another process is"
                            + " already starting or running this VM (" + name + ")");
        }
    }

    /**
     * One machine as the fake holds it.
     *
     * @param name the name
     * @param state {@code created}, {@code running} or {@code stopped}
     * @param env the environment given with {@code -e}
     * @param secretEnv guest variable to the host variable {@code --secret-env} names
     * @param labels the labels
     * @param allowCidrs the {@code --allow-cidr} entries
     * @param allowHosts the {@code --allow-host} entries
     * @param from the {@code .smolmachine} it was created from, or empty
     */
    public record Machine(
            String name,
            String state,
            Map<String, String> env,
            Map<String, String> secretEnv,
            Map<String, String> labels,
            List<String> allowCidrs,
            List<String> allowHosts,
            String from) {
        /**
         * Copies the collections.
         *
         * @param name the name
         * @param state the state
         * @param env the environment
         * @param secretEnv the secret mapping
         * @param labels the labels
         * @param allowCidrs the CIDRs
         * @param allowHosts the hosts
         * @param from the sidecar, or empty
         */
        public Machine {
            env = Map.copyOf(env);
            secretEnv = Map.copyOf(secretEnv);
            labels = Map.copyOf(labels);
            allowCidrs = List.copyOf(allowCidrs);
            allowHosts = List.copyOf(allowHosts);
        }
    }

    /**
     * Installs the fake under a directory: {@code bin/smolvm} (the launcher) and {@code state/}.
     *
     * @param dir the directory, e.g. a JUnit {@code @TempDir}
     * @return the fake
     * @throws BottleException when it cannot be written
     */
    public static FakeSmolvm install(Path dir) {
        FakeSmolvm f = new FakeSmolvm(dir.toAbsolutePath());
        Path bin = f.home.resolve("bin");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\n"
                + "# Fake smolvm for tests (bottles testkit); see FakeSmolvm.\n"
                + "export " + SmolvmState.ENV + "="
                + quote(f.home.resolve("state").toString()) + "\n"
                + "exec " + quote(java) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp "
                + quote(System.getProperty("java.class.path")) + " " + FakeSmolvmMain.class.getName() + " \"$@\"\n";
        try {
            Files.createDirectories(bin);
            Files.writeString(bin.resolve("smolvm"), script, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(bin.resolve("smolvm"), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new BottleException("cannot install the fake smolvm in " + dir + " (" + e + ")", e);
        }
        return f;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Returns the launcher, to put on {@code PATH} or name in {@code SMOLVM}.
     *
     * @return {@code <dir>/bin/smolvm}
     */
    public Path executable() {
        return home.resolve("bin").resolve("smolvm");
    }

    /**
     * Sets the version {@code smolvm --version} reports (default 1.9.2).
     *
     * @param version e.g. {@code 1.8.0} for a TSI-era build
     * @return this fake
     */
    public FakeSmolvm version(String version) {
        state.locked(() -> {
            state.setVersion(version);
            return null;
        });
        return this;
    }

    /**
     * Makes the next invocation of a command fail; queued failures are served in order.
     *
     * @param command e.g. {@code machine start}, {@code machine create}, {@code pack create}
     * @param failure what it reports
     * @return this fake
     */
    public FakeSmolvm failNext(String command, Failure failure) {
        state.locked(() -> {
            state.addFailure(new SmolvmState.Failure(command, failure.exitCode(), failure.stderr()));
            return null;
        });
        return this;
    }

    /**
     * Returns the argv of every invocation so far, without the leading {@code smolvm}.
     *
     * @return the invocations, in order
     */
    public List<List<String>> invocations() {
        return state.locked(state::invocations);
    }

    /**
     * Looks a machine up.
     *
     * @param name the machine
     * @return the machine, if it exists
     */
    public Optional<Machine> machine(String name) {
        return state.locked(() -> state.machine(name))
                .map(m -> new Machine(
                        m.name(),
                        m.state(),
                        m.env(),
                        m.secretEnv(),
                        m.labels(),
                        m.allowCidrs(),
                        m.allowHosts(),
                        m.from() == null ? "" : m.from()));
    }

    /**
     * Returns the names of every machine.
     *
     * @return the names, sorted
     */
    public List<String> machines() {
        return state.locked(state::machines).stream()
                .map(SmolvmState.Machine::name)
                .toList();
    }
}
