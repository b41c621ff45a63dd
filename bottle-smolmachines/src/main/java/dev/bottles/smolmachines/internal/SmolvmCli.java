package dev.bottles.smolmachines.internal;

import dev.bottles.BackendCommandException;
import dev.bottles.BottleException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code smolvm} as jib's {@code CliDockerClient} runs docker: argv lists (never a shell),
 * stdin closed, stdout and stderr drained on their own threads, a timeout on every call that
 * destroys the process, failures as {@link BackendCommandException} with the argv (which never
 * holds a secret), the exit code and the stderr tail, classified by smolvm's documented texts.
 * Concurrent {@code machine start}s are capped, as smolvm itself does not.
 */
public final class SmolvmCli {
    /** How many {@code machine start}s may run at once from this JVM. */
    public static final int MAX_CONCURRENT_STARTS = 2;

    private static final Semaphore STARTS = new Semaphore(MAX_CONCURRENT_STARTS, true);

    /** Starts a process; injectable so tests can watch or replace the binary. */
    @FunctionalInterface
    public interface Launcher {
        /**
         * Starts a process with stdin closed.
         *
         * @param argv the command
         * @param env extra environment for it
         * @return the process
         * @throws IOException when it cannot start
         */
        Process start(List<String> argv, Map<String, String> env) throws IOException;

        /**
         * Starts a process whose stdin is a pipe the caller writes (for {@code machine exec -i}).
         * The default closes stdin, for launchers that cannot.
         *
         * @param argv the command
         * @param env extra environment for it
         * @return the process
         * @throws IOException when it cannot start
         */
        default Process startWithInput(List<String> argv, Map<String, String> env) throws IOException {
            return start(argv, env);
        }
    }

    /** What smolvm's failure texts say happened ({@code docs/smolvm.md} §2). */
    public enum Failure {
        /** Exit 2: a usage error, i.e. a bug in the caller. */
        USAGE,
        /** {@code vm not found:}. */
        VM_NOT_FOUND,
        /** {@code already exists or is being created}. */
        ALREADY_EXISTS,
        /** {@code is not running. Use}. */
        NOT_RUNNING,
        /** {@code kvm not available}. */
        KVM_NOT_AVAILABLE,
        /** {@code kvm permission denied}. */
        KVM_PERMISSION_DENIED,
        /** {@code pull image:}. */
        PULL_IMAGE,
        /** {@code another process is already starting}. */
        ALREADY_STARTING,
        /** Anything else. */
        OTHER;

        /**
         * Classifies a failed invocation.
         *
         * @param exit its exit code
         * @param stderr its standard error
         * @return the failure
         */
        public static Failure of(int exit, String stderr) {
            if (exit == 2) {
                return USAGE;
            }
            if (stderr.contains("vm not found:")) {
                return VM_NOT_FOUND;
            }
            if (stderr.contains("already exists or is being created")) {
                return ALREADY_EXISTS;
            }
            if (stderr.contains("is not running. Use")) {
                return NOT_RUNNING;
            }
            if (stderr.contains("kvm not available")) {
                return KVM_NOT_AVAILABLE;
            }
            if (stderr.contains("kvm permission denied")) {
                return KVM_PERMISSION_DENIED;
            }
            if (stderr.contains("pull image:")) {
                return PULL_IMAGE;
            }
            if (stderr.contains("another process is already starting")) {
                return ALREADY_STARTING;
            }
            return OTHER;
        }

        /**
         * Says what to do about the failure.
         *
         * @return the hint
         */
        public String hint() {
            return switch (this) {
                case USAGE ->
                    "smolvm rejected the arguments: a bug in bottles or an incompatible smolvm; check smolvm --version";
                case VM_NOT_FOUND -> "the machine is gone; clean up with Bottles.cleanup(...)";
                case ALREADY_EXISTS ->
                    "a machine of that name exists; remove it with 'smolvm machine delete --name <name> -f'";
                case NOT_RUNNING -> "the machine stopped; launch the bottle again";
                case KVM_NOT_AVAILABLE ->
                    "load the KVM module (sudo modprobe kvm) or run on a host with virtualization";
                case KVM_PERMISSION_DENIED ->
                    "add your user to the kvm group (sudo usermod -aG kvm $USER) and log in again";
                case PULL_IMAGE -> "the image could not be pulled; check its name and registry access";
                case ALREADY_STARTING -> "another process is starting this machine; wait and retry";
                case OTHER -> "";
            };
        }
    }

    /**
     * One finished invocation.
     *
     * @param exitCode its exit code
     * @param stdout its standard output
     * @param stderr its standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
        /**
         * Classifies a failure.
         *
         * @return the failure kind
         */
        public Failure failure() {
            return Failure.of(exitCode, stderr);
        }
    }

    private final String binary;
    private final Launcher launcher;

    /**
     * Creates the wrapper.
     *
     * @param binary the {@code smolvm} executable
     * @param launcher how processes are started
     */
    public SmolvmCli(String binary, Launcher launcher) {
        this.binary = binary;
        this.launcher = launcher;
    }

    /**
     * Creates the wrapper over real processes.
     *
     * @param binary the {@code smolvm} executable
     * @return the wrapper
     */
    public static SmolvmCli of(String binary) {
        return new SmolvmCli(binary, new Launcher() {
            @Override
            public Process start(List<String> argv, Map<String, String> env) throws IOException {
                return builder(argv, env)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            }

            @Override
            public Process startWithInput(List<String> argv, Map<String, String> env) throws IOException {
                return builder(argv, env)
                        .redirectInput(ProcessBuilder.Redirect.PIPE)
                        .start();
            }

            private ProcessBuilder builder(List<String> argv, Map<String, String> env) {
                ProcessBuilder pb = new ProcessBuilder(argv);
                pb.environment().remove("RUST_LOG");
                pb.environment().putAll(env);
                return pb;
            }
        });
    }

    /**
     * Returns the executable.
     *
     * @return its path or name
     */
    public String binary() {
        return binary;
    }

    /**
     * Runs smolvm and returns whatever it did.
     *
     * @param args the arguments after {@code smolvm}
     * @param env extra environment (secret values for {@code --secret-env} go here, never in args)
     * @param timeout how long it may take; it is destroyed after that
     * @return the result
     * @throws BackendCommandException when it cannot start or does not finish in time
     */
    public Result run(List<String> args, Map<String, String> env, Duration timeout) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.addAll(args);
        boolean start =
                args.size() >= 2 && args.get(0).equals("machine") && args.get(1).equals("start");
        if (start) {
            STARTS.acquireUninterruptibly();
        }
        try {
            Process p = launcher.start(argv, env);
            Drain out = new Drain(p.getInputStream());
            Drain err = new Drain(p.getErrorStream());
            out.start();
            err.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new BackendCommandException(
                        argv,
                        -1,
                        err.text(),
                        "smolvm did not finish within " + timeout.toSeconds() + " s and was stopped",
                        null);
            }
            out.join();
            err.join();
            return new Result(p.exitValue(), out.text(), err.text());
        } catch (IOException e) {
            throw cannotRun(argv, e);
        } catch (InterruptedException e) {
            throw interrupted(argv, e);
        } finally {
            if (start) {
                STARTS.release();
            }
        }
    }

    /**
     * Runs smolvm with its output delivered as it comes and, optionally, input that ends.
     *
     * @param args the arguments after {@code smolvm}
     * @param env extra environment
     * @param stdin what smolvm reads (copied in, then closed), or null for nothing
     * @param out where its stdout goes, as it comes
     * @param err where its stderr goes, as it comes
     * @param timeout how long it may take; it is destroyed after that
     * @return its exit code, or -1 when it was destroyed at the timeout
     * @throws BackendCommandException when it cannot start
     */
    public int stream(
            List<String> args,
            Map<String, String> env,
            @org.jspecify.annotations.Nullable InputStream stdin,
            OutputStream out,
            OutputStream err,
            Duration timeout) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.addAll(args);
        try {
            Process p = stdin != null ? launcher.startWithInput(argv, env) : launcher.start(argv, env);
            Thread feeder = new Thread(
                    () -> {
                        try (OutputStream to = p.getOutputStream()) {
                            if (stdin != null) {
                                stdin.transferTo(to);
                            }
                        } catch (IOException e) {
                            // smolvm ended before reading all of its input
                        }
                    },
                    "smolvm-stdin");
            feeder.setDaemon(true);
            feeder.start();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return -1;
            }
            o.join();
            e.join();
            return p.exitValue();
        } catch (IOException e) {
            throw cannotRun(argv, e);
        } catch (InterruptedException e) {
            throw interrupted(argv, e);
        }
    }

    private BackendCommandException cannotRun(List<String> argv, IOException e) {
        return new BackendCommandException(
                argv,
                -1,
                "",
                "cannot run " + binary + " (" + e.getMessage() + "); install" + " smolvm or point SMOLVM at it",
                e);
    }

    private static BottleException interrupted(List<String> argv, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new BottleException("interrupted while running " + String.join(" ", argv), e);
    }

    private static Thread pump(InputStream in, OutputStream to) {
        Thread t = new Thread(
                () -> {
                    byte[] b = new byte[16 * 1024];
                    try {
                        for (int n = in.read(b); n >= 0; n = in.read(b)) {
                            to.write(b, 0, n);
                            to.flush();
                        }
                    } catch (IOException e) {
                        // the process went away
                    }
                },
                "smolvm-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Runs smolvm and fails unless it exits 0.
     *
     * @param args the arguments after {@code smolvm}
     * @param env extra environment
     * @param timeout how long it may take
     * @return the result
     * @throws BackendCommandException when it fails, with smolvm's classified hint
     */
    public Result check(List<String> args, Map<String, String> env, Duration timeout) {
        Result r = run(args, env, timeout);
        if (r.exitCode() != 0) {
            throw failure(args, r);
        }
        return r;
    }

    /**
     * Builds the exception for a failed invocation.
     *
     * @param args the arguments after {@code smolvm}
     * @param r the result
     * @return the exception
     */
    public BackendCommandException failure(List<String> args, Result r) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.addAll(args);
        return new BackendCommandException(
                argv, r.exitCode(), r.stderr(), r.failure().hint(), null);
    }

    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                in.transferTo(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
