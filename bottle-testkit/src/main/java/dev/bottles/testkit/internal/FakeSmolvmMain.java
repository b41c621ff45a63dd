package dev.bottles.testkit.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.testkit.internal.SmolvmArgs.Parsed;
import dev.bottles.testkit.internal.SmolvmArgs.UsageError;
import dev.bottles.testkit.internal.SmolvmState.Machine;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The fake {@code smolvm} executable: the subcommands the smolmachines backend drives, with the
 * outputs, exit codes and error texts of {@code docs/smolvm.md} §1 and §2. {@code machine exec}
 * runs the command as a host process with the machine's environment. Every invocation's argv is
 * logged; failures queued in the state dir are served first.
 */
public final class FakeSmolvmMain {
    /** smolvm's cap on each buffered exec stream. */
    static final int MAX_EXEC_OUTPUT = 11 * 1024 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_]|-(?!-))*");
    private static final Pattern CIDR =
            Pattern.compile("(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(/(\\d{1,2}))?|[0-9a-fA-F:]+(/\\d{1,3})?");
    private static final Pattern HUMANTIME = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final SmolvmState state;
    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    private FakeSmolvmMain(
            SmolvmState state, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.state = state;
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** An error smolvm reports as {@code Error: ...}, exit 1. */
    static final class SmolvmError extends BottleException {
        private static final long serialVersionUID = 1L;

        SmolvmError(String message) {
            super(message);
        }
    }

    /**
     * Runs the fake as a process.
     *
     * @param args the arguments after {@code smolvm}
     */
    public static void main(String[] args) {
        String dir = System.getenv(SmolvmState.ENV);
        if (dir == null) {
            System.err.println("fake smolvm: " + SmolvmState.ENV + " is not set; install it with FakeSmolvm.install");
            System.exit(70);
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(List.of(args), System.getenv(), System.in, out, err, new SmolvmState(Path.of(dir))));
    }

    /**
     * Runs one invocation.
     *
     * @param args the arguments after {@code smolvm}
     * @param env the invoking process's environment
     * @param in its standard input
     * @param out its standard output
     * @param err its standard error
     * @param state the fake's state
     * @return the exit code
     */
    public static int run(
            List<String> args,
            Map<String, String> env,
            InputStream in,
            PrintStream out,
            PrintStream err,
            SmolvmState state) {
        state.locked(() -> {
            state.log(args);
            return null;
        });
        FakeSmolvmMain m = new FakeSmolvmMain(state, env, in, out, err);
        try {
            return m.dispatch(args);
        } catch (UsageError e) {
            err.println(e.getMessage());
            return 2;
        } catch (SmolvmError e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
    }

    private int dispatch(List<String> args) {
        if (args.isEmpty()) {
            throw new UsageError(
                    "error: 'smolvm' requires a subcommand but one was not provided\n\nUsage: smolvm <COMMAND>");
        }
        if (args.get(0).equals("--version") || args.get(0).equals("-V")) {
            out.println("smolvm " + state.version());
            return 0;
        }
        String group = args.get(0).equals("vm") ? "machine" : args.get(0);
        if (args.size() < 2) {
            throw new UsageError("error: '" + group + "' requires a subcommand");
        }
        String sub = switch (args.get(1)) {
            case "rm" -> "delete";
            case "list" -> "ls";
            default -> args.get(1);
        };
        String command = group + " " + sub;
        Optional<SmolvmState.Failure> injected = state.locked(() -> state.takeFailure(command));
        if (injected.isPresent()) {
            err.println(injected.get().stderr());
            return injected.get().exitCode();
        }
        List<String> rest = args.subList(2, args.size());
        return switch (command) {
            case "pack create" -> packCreate(rest);
            case "machine create" -> state.locked(() -> create(rest));
            case "machine start" -> state.locked(() -> start(rest));
            case "machine exec" -> exec(rest);
            case "machine stop" -> state.locked(() -> stop(rest));
            case "machine delete" -> delete(rest);
            case "machine ls" -> ls(rest);
            case "machine status" -> status(rest);
            default ->
                throw new UsageError("error: unrecognized subcommand '" + args.get(1) + "'\n\nUsage: smolvm " + group
                        + " <COMMAND>");
        };
    }

    private int packCreate(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm pack create --output <OUTPUT> [OPTIONS]")
                .value("--image", "-I")
                .value("--output", "-o")
                .value("--cpus")
                .value("--mem")
                .value("--oci-platform")
                .value("--entrypoint")
                .value("--staging-dir")
                .value("--from-vm")
                .value("--smolfile", "-s")
                .flag("--single-file")
                .flag("--no-sign")
                .flag("--gpu")
                .flag("--no-proxy")
                .parse(args);
        String output = p.one("--output")
                .orElseThrow(() -> new UsageError(
                        "error: the following required arguments were not provided:\n  --output <OUTPUT>"));
        String image = p.one("--image")
                .orElseThrow(() -> new UsageError(
                        "error: the following required arguments were not provided:\n  --image <IMAGE>"));
        if (output.endsWith(".smolmachine")) {
            throw new SmolvmError("config operation failed: pack create: --output names the executable stub; the"
                    + " .smolmachine sidecar is written beside it");
        }
        Path stub = Path.of(output).toAbsolutePath();
        try {
            Files.createDirectories(stub.getParent());
            Files.writeString(stub, "#!/bin/sh\necho 'fake smolmachine stub for " + image + "'\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
            ObjectNode asset = SmolvmState.JSON
                    .createObjectNode()
                    .put("image", image)
                    .put("packed_at", Instant.now().getEpochSecond());
            Path sidecar = Path.of(stub + ".smolmachine");
            if (!p.has("--single-file")) {
                Files.writeString(sidecar, asset.toString());
            }
            out.println("Packed: " + stub + " (stub: 1KB, total: 2KB)");
            if (!p.has("--single-file")) {
                out.println("Assets: " + sidecar + " (1KB compressed)");
            }
            return 0;
        } catch (IOException e) {
            throw new SmolvmError("config operation failed: pack create: " + e.getMessage());
        }
    }

    private int create(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine create [OPTIONS] [-- <COMMAND>...]")
                .value("--name", "-n")
                .value("--label")
                .value("--cpus")
                .value("--mem")
                .value("--storage")
                .value("--overlay")
                .value("--image", "-I")
                .value("--from")
                .value("--smolfile", "-s")
                .value("--env", "-e")
                .value("--workdir", "-w")
                .value("--volume", "-v")
                .value("--init")
                .value("--secret-env")
                .value("--secret-file")
                .value("--net-backend")
                .value("--dns")
                .value("--network")
                .value("--port", "-p")
                .value("--allow-cidr")
                .value("--allow-host")
                .value("--gpu-vram")
                .flag("--ssh-agent")
                .flag("--net")
                .flag("--outbound-localhost-only")
                .flag("--gpu")
                .flag("--cuda")
                .flag("--rosetta")
                .flag("--docker-socket")
                .parse(args);
        String name = p.one("--name").orElse("vm-" + Long.toHexString(System.nanoTime() & 0xffffffL));
        checkName(name);
        for (String c : p.all("--allow-cidr")) {
            if (!CIDR.matcher(c).matches()) {
                throw new UsageError("error: invalid value '" + c + "' for '--allow-cidr <CIDR>': invalid CIDR '" + c
                        + "': expected format like 10.0.0.0/8 or 1.1.1.1\n\nFor more information, try '--help'.");
            }
        }
        boolean policy = !p.all("--allow-cidr").isEmpty()
                || !p.all("--allow-host").isEmpty()
                || p.has("--outbound-localhost-only");
        if (policy && p.one("--net-backend").map("tsi"::equals).orElse(false)) {
            throw new SmolvmError("config operation failed: egress: egress policy (allow-cidr/allow-host) requires the"
                    + " virtio-net backend; TSI does not enforce it");
        }
        boolean network = p.has("--net")
                || policy
                || p.one("--net-backend").isPresent()
                || !p.all("--port").isEmpty();
        if (p.one("--image").isPresent() && p.one("--from").isPresent()) {
            throw new UsageError("error: the argument '--image <IMAGE>' cannot be used with '--from <FROM>'");
        }
        String image = p.one("--image").orElse(null);
        if (image != null && !network && !image.startsWith(".") && !image.startsWith("/") && !image.equals("-")) {
            throw new SmolvmError("config operation failed: create machine: image '" + image + "' must be pulled from"
                    + " a registry, but this machine has no network ... Add --net or use --from");
        }
        String from = p.one("--from").orElse(null);
        if (from != null && !Files.isRegularFile(Path.of(from))) {
            throw new SmolvmError(
                    "config operation failed: create machine: cannot read '" + from + "': No such file or directory");
        }
        if (state.machine(name).isPresent()) {
            throw new SmolvmError("config operation failed: create machine: machine '" + name
                    + "' already exists or is being created");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (String e : p.all("--env")) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                vars.put(e.substring(0, eq), e.substring(eq + 1));
            } else if (eq < 0 && !e.isEmpty() && env.containsKey(e)) {
                vars.put(e, env.get(e));
            }
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String s : p.all("--secret-env")) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new UsageError("error: invalid value '" + s + "' for '--secret-env <GUEST=HOSTVAR>'");
            }
            secrets.put(s.substring(0, eq), s.substring(eq + 1));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : p.all("--label")) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new UsageError("error: invalid value '" + l + "' for '--label <KEY=VALUE>'");
            }
            labels.put(l.substring(0, eq), l.substring(eq + 1));
        }
        for (String v : p.all("--volume")) {
            String host = v.split(":")[0];
            if (!Files.isDirectory(Path.of(host))) {
                throw new SmolvmError("config operation failed: volume: host path '" + host + "' is not a directory");
            }
        }
        int cpus = Integer.parseInt(p.one("--cpus").orElse("4"));
        int mem = Integer.parseInt(p.one("--mem").orElse("8192"));
        if (p.sawDashDash() && p.trailing().isEmpty()) {
            err.println("note: nothing after --");
        }
        state.save(new Machine(
                name,
                "created",
                null,
                cpus,
                mem,
                from,
                image,
                vars,
                secrets,
                labels,
                p.all("--allow-cidr"),
                p.all("--allow-host"),
                network,
                p.one("--workdir").orElse(null),
                p.all("--volume"),
                p.trailing(),
                Instant.now().getEpochSecond()));
        if (from != null) {
            out.println("Extracting .smolmachine assets...");
        }
        out.println("Created machine: " + name);
        out.println("  CPUs: " + cpus + ", Memory: " + mem + " MiB");
        out.println("Start it with: smolvm machine start --name " + name);
        return 0;
    }

    private static void checkName(String name) {
        if (name.length() > 128 || !NAME.matcher(name).matches() || name.endsWith("-")) {
            throw new SmolvmError("config operation failed: machine name '" + name + "': use 1-128 characters of"
                    + " [A-Za-z0-9_-], starting alphanumeric, no trailing or double '-'");
        }
    }

    private Machine existing(String name) {
        return state.machine(name).orElseThrow(() -> new SmolvmError("vm not found: " + name));
    }

    private static String name(Parsed p) {
        return p.one("--name").orElse("default");
    }

    private int start(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine start [OPTIONS]")
                .value("--name", "-n")
                .value("--proxy")
                .flag("--forkable")
                .flag("--no-proxy")
                .parse(args);
        Machine m = existing(name(p));
        if (m.state().equals("running")) {
            out.println("Machine '" + m.name() + "' already running (PID: " + m.pid() + ")");
            return 0;
        }
        err.println("Starting machine '" + m.name() + "'...");
        long pid = 10_000 + Math.floorMod(m.name().hashCode(), 50_000);
        state.save(m.withState("running", pid));
        out.println("Machine '" + m.name() + "' running (PID: " + pid + ")");
        return 0;
    }

    private int stop(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine stop [OPTIONS]")
                .value("--name", "-n")
                .parse(args);
        Machine m = existing(name(p));
        if (!m.state().equals("running")) {
            out.println("Machine '" + m.name() + "' is not running (state: stopped)");
            return 0;
        }
        out.println("Stopping machine '" + m.name() + "'...");
        state.save(m.withState("stopped", null));
        out.println("Stopped machine: " + m.name());
        return 0;
    }

    private int delete(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine delete --name <NAME> [OPTIONS]")
                .value("--name", "-n")
                .flag("--force", "-f")
                .flag("--cascade")
                .parse(args);
        String name = p.one("--name")
                .orElseThrow(() ->
                        new UsageError("error: the following required arguments were not provided:\n  --name <NAME>"));
        state.locked(() -> existing(name));
        if (!p.has("--force")) {
            err.print("Delete machine '" + name + "'? [y/N] ");
            err.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null
                    || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
                out.println("Cancelled");
                return 0;
            }
        }
        state.locked(() -> {
            existing(name);
            state.delete(name);
            return null;
        });
        out.println("Deleted machine: " + name);
        return 0;
    }

    private int ls(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine ls [OPTIONS]")
                .flag("--verbose", "-v")
                .flag("--json")
                .parse(args);
        List<Machine> all = state.locked(state::machines);
        if (p.has("--json")) {
            ArrayNode a = SmolvmState.JSON.createArrayNode();
            all.forEach(m -> a.add(json(m)));
            out.println(a.toPrettyString());
            return 0;
        }
        if (all.isEmpty()) {
            out.println("No machines found");
            return 0;
        }
        out.printf("%-30s %-10s %s%n", "NAME", "STATE", "PID");
        for (Machine m : all) {
            out.printf("%-30s %-10s %s%n", m.name(), m.state(), m.pid() == null ? "-" : m.pid());
        }
        return 0;
    }

    private static ObjectNode json(Machine m) {
        ObjectNode o = SmolvmState.JSON.createObjectNode();
        o.put("name", m.name());
        o.put("state", m.state());
        o.put("cpus", m.cpus());
        o.put("memory_mib", m.memoryMib());
        if (m.pid() == null) {
            o.putNull("pid");
        } else {
            o.put("pid", m.pid());
        }
        o.put("mounts", m.volumes().size());
        o.put("ports", 0);
        o.put("created_at", m.createdAt());
        o.putNull("storage_gb");
        o.putNull("overlay_gb");
        o.put("image", m.image() != null ? m.image() : m.from());
        o.putNull("entrypoint");
        ArrayNode cmd = o.putArray("cmd");
        m.cmd().forEach(cmd::add);
        o.put("ephemeral", false);
        o.put("network", m.network());
        ObjectNode labels = o.putObject("labels");
        m.labels().forEach(labels::put);
        return o;
    }

    private int status(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine status [OPTIONS]")
                .value("--name", "-n")
                .flag("--json")
                .parse(args);
        String name = name(p);
        Optional<Machine> m = state.locked(() -> state.machine(name));
        if (m.isEmpty()) {
            throw new SmolvmError(
                    p.has("--json")
                            ? "config operation failed: machine status: machine '" + name + "' not found"
                            : "vm not found: " + name);
        }
        if (p.has("--json")) {
            out.println(json(m.get()).toPrettyString());
        } else if (m.get().state().equals("running")) {
            out.println("Machine '" + name + "': running (PID: " + m.get().pid() + ")");
        } else {
            out.println("Machine '" + name + "': " + m.get().state());
        }
        return 0;
    }

    private int exec(List<String> args) {
        Parsed p = new SmolvmArgs("smolvm machine exec [OPTIONS] -- <COMMAND>...")
                .value("--name")
                .value("--workdir", "-w")
                .value("--env", "-e")
                .value("--secret-env")
                .value("--secret-file")
                .value("--timeout")
                .flag("--interactive", "-i")
                .flag("--tty", "-t")
                .flag("--stream")
                .flag("--detach", "-d")
                .parse(args);
        if (p.trailing().isEmpty()) {
            throw new UsageError("error: the following required arguments were not provided:\n  <COMMAND>...\n\nUsage: "
                    + "smolvm machine exec [OPTIONS] -- <COMMAND>...");
        }
        Duration timeout = p.one("--timeout").map(FakeSmolvmMain::humantime).orElse(null);
        Machine m = state.locked(() -> existing(name(p)));
        if (!m.state().equals("running")) {
            throw new SmolvmError("agent operation failed: connect: machine '" + m.name() + "' is not running. Use"
                    + " 'smolvm machine start --name " + m.name() + "' first.");
        }
        Map<String, String> vars = new LinkedHashMap<>(m.env());
        Map<String, String> secrets = new LinkedHashMap<>(m.secretEnv());
        for (String s : p.all("--secret-env")) {
            int eq = s.indexOf('=');
            secrets.put(s.substring(0, eq), s.substring(eq + 1));
        }
        for (Map.Entry<String, String> s : secrets.entrySet()) {
            String v = env.get(s.getValue());
            if (v == null) {
                throw new SmolvmError(
                        "config operation failed: secret-env: host variable '" + s.getValue() + "' is not set");
            }
            vars.put(s.getKey(), v);
        }
        for (String e : p.all("--env")) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                vars.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        String workdir = p.one("--workdir").orElse(m.workdir() != null ? m.workdir() : "/");
        return runInGuest(m, new ArrayList<>(p.trailing()), vars, workdir, timeout, p.has("--interactive"));
    }

    private int runInGuest(
            Machine m,
            List<String> cmd,
            Map<String, String> vars,
            String workdir,
            @Nullable Duration timeout,
            boolean interactive) {
        Path root = state.root(m.name());
        Path cwd = root.resolve(workdir.replaceFirst("^/+", ""));
        Path outFile = null;
        Path errFile = null;
        try {
            Files.createDirectories(cwd);
            outFile = Files.createTempFile(root, ".out", "");
            errFile = Files.createTempFile(root, ".err", "");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(cwd.toFile())
                    .redirectOutput(outFile.toFile())
                    .redirectError(errFile.toFile())
                    .redirectInput(
                            interactive
                                    ? ProcessBuilder.Redirect.INHERIT
                                    : ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> penv = pb.environment();
            penv.clear();
            penv.put("PATH", env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
            penv.put("HOME", root.toString());
            penv.putAll(vars);
            Process proc;
            try {
                proc = pb.start();
            } catch (IOException e) {
                throw new SmolvmError("agent operation failed: vm exec: failed to spawn command: " + e.getMessage());
            }
            int code;
            if (timeout == null) {
                code = proc.waitFor();
            } else if (proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                code = proc.exitValue();
            } else {
                proc.destroyForcibly().waitFor();
                code = 124;
            }
            copy(outFile, out);
            copy(errFile, err);
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            for (Path f : new Path[] {outFile, errFile}) {
                if (f != null) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException ignored) {
                        // a leftover capture file in the fake's state dir harms nothing
                    }
                }
            }
        }
    }

    private static void copy(Path file, PrintStream to) throws IOException {
        byte[] b = Files.readAllBytes(file);
        to.write(b, 0, Math.min(b.length, MAX_EXEC_OUTPUT));
        to.flush();
    }

    static Duration humantime(String text) {
        Matcher m = HUMANTIME.matcher(text.strip());
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            d = d.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    });
            end = m.end();
        }
        if (end != text.strip().length() || end == 0) {
            throw new UsageError("error: invalid value '" + text + "' for '--timeout <TIMEOUT>': expected a duration"
                    + " such as 30s or 5m");
        }
        if (d.isZero()) {
            throw new UsageError("error: invalid value '" + text + "' for '--timeout <TIMEOUT>': timeout must be"
                    + " greater than zero");
        }
        return d;
    }
}
