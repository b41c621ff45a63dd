package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.testkit.internal.FakeSmolvmMain;
import dev.bottles.testkit.internal.SmolvmState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fake follows docs/smolvm.md §1 and §2: outputs, exit codes, error texts. */
class FakeSmolvmTest {
    @TempDir
    Path dir;

    private FakeSmolvm smolvm;
    private final Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv("PATH")));

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void install() {
        smolvm = FakeSmolvm.install(dir);
    }

    private Run callWithStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FakeSmolvmMain.run(
                List.of(args),
                env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new SmolvmState(dir.resolve("state")));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run call(String... args) {
        return callWithStdin("", args);
    }

    private Path packed() {
        assertEquals(
                0,
                call(
                                "pack",
                                "create",
                                "--image",
                                "claude-bottle:latest",
                                "-o",
                                dir.resolve("agent").toString())
                        .exit());
        return dir.resolve("agent.smolmachine");
    }

    private void running(String name, String... extra) {
        List<String> args =
                new ArrayList<>(List.of("machine", "create", "--name", name, "--from", packed().toString()));
        args.addAll(List.of(extra));
        assertEquals(0, call(args.toArray(String[]::new)).exit());
        assertEquals(0, call("machine", "start", "--name", name).exit());
    }

    @Test
    void versionIsSmolvmOneNineTwoUnlessSetOtherwise() {
        assertEquals(new Run(0, "smolvm 1.9.2\n", ""), call("--version"));
        smolvm.version("1.8.0");
        assertEquals("smolvm 1.8.0\n", call("-V").out());
    }

    @Test
    void packCreateWritesTheStubAndTheSidecarBesideIt() throws Exception {
        Path out = dir.resolve("cache/agent");
        Run r = call("pack", "create", "--image", "alpine:3", "-o", out.toString());
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Packed: " + out + " (stub: "), r.out());
        assertTrue(r.out().contains("Assets: " + out + ".smolmachine ("), r.out());
        assertTrue(Files.isExecutable(out));
        assertTrue(Files.readString(Path.of(out + ".smolmachine")).contains("alpine:3"));

        Run bad = call(
                "pack",
                "create",
                "--image",
                "alpine:3",
                "-o",
                dir.resolve("x.smolmachine").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err()
                .startsWith("Error: config operation failed: pack create: --output names the executable stub"));
        assertEquals(2, call("pack", "create", "-o", out.toString()).exit(), "--image is required: a usage error");
    }

    @Test
    void aMachineLivesThroughCreateStartExecStopAndDelete() {
        Run created = call(
                "machine",
                "create",
                "--name",
                "vm1",
                "--from",
                packed().toString(),
                "-e",
                "GREETING=hi",
                "--allow-cidr",
                "100.96.0.1/32",
                "--label",
                "dev.bottles.identity=x-1",
                "--cpus",
                "2",
                "--mem",
                "2048");
        assertEquals(0, created.exit());
        assertTrue(
                created.out()
                        .startsWith(
                                "Extracting .smolmachine assets...\nCreated machine: vm1\n  CPUs: 2, Memory: 2048 MiB\n"),
                created.out());
        assertEquals("created", smolvm.machine("vm1").orElseThrow().state());

        Run started = call("machine", "start", "--name", "vm1");
        assertEquals("Starting machine 'vm1'...\n", started.err());
        assertTrue(started.out().matches("Machine 'vm1' running \\(PID: \\d+\\)\n"), started.out());
        Run again = call("machine", "start", "--name", "vm1");
        assertEquals(0, again.exit());
        assertTrue(again.out().startsWith("Machine 'vm1' already running (PID: "), "start is idempotent");

        Run exec = call(
                "machine",
                "exec",
                "--name",
                "vm1",
                "-e",
                "EXTRA=1",
                "--",
                "sh",
                "-c",
                "echo $GREETING $EXTRA; echo oops >&2; exit 7");
        assertEquals(new Run(7, "hi 1\n", "oops\n"), exec, "buffered output, the guest's exit code");

        Run stop = call("machine", "stop", "--name", "vm1");
        assertEquals(new Run(0, "Stopping machine 'vm1'...\nStopped machine: vm1\n", ""), stop);
        assertEquals(
                new Run(0, "Machine 'vm1' is not running (state: stopped)\n", ""),
                call("machine", "stop", "--name", "vm1"));
        Run stopped = call("machine", "exec", "--name", "vm1", "--", "true");
        assertEquals(
                new Run(
                        1,
                        "",
                        "Error: agent operation failed: connect: machine 'vm1' is not running. Use"
                                + " 'smolvm machine start --name vm1' first.\n"),
                stopped);

        assertEquals(new Run(0, "Deleted machine: vm1\n", ""), call("machine", "delete", "--name", "vm1", "-f"));
        assertEquals(List.of(), smolvm.machines());
    }

    @Test
    void deleteWithoutForcePromptsAndOnClosedStdinCancels() {
        running("vm2");
        Run cancelled = callWithStdin("", "machine", "delete", "--name", "vm2");
        assertEquals(new Run(0, "Cancelled\n", "Delete machine 'vm2'? [y/N] "), cancelled);
        assertTrue(smolvm.machine("vm2").isPresent(), "nothing was deleted");
        assertEquals(
                "Deleted machine: vm2\n",
                callWithStdin("y\n", "machine", "rm", "--name", "vm2").out());
        assertEquals(2, call("machine", "delete", "-f").exit(), "--name is required");
    }

    @Test
    void unknownMachinesAreVmNotFound() {
        for (String[] args : List.of(
                new String[] {"machine", "start", "--name", "ghost"},
                new String[] {"machine", "stop", "--name", "ghost"},
                new String[] {"machine", "delete", "--name", "ghost", "-f"},
                new String[] {"machine", "status", "--name", "ghost"},
                new String[] {"machine", "exec", "--name", "ghost", "--", "true"})) {
            assertEquals(new Run(1, "", "Error: vm not found: ghost\n"), call(args), String.join(" ", args));
        }
        assertEquals(
                "Error: config operation failed: machine status: machine 'ghost' not found\n",
                call("machine", "status", "--name", "ghost", "--json").err());
    }

    @Test
    void aNameIsTakenOnce() {
        running("vm3");
        Run dup = call("machine", "create", "--name", "vm3", "--from", packed().toString());
        assertEquals(1, dup.exit());
        assertEquals(
                "Error: config operation failed: create machine: machine 'vm3' already exists or is being created\n",
                dup.err());
        assertEquals(2, call("machine", "create", "vm4").exit(), "a positional name is a usage error");
    }

    @Test
    void execTakesOnlyTheLongNameFlagAndTimesOutWith124() {
        running("vm5");
        Run shortName = call("machine", "exec", "-n", "vm5", "--", "true");
        assertEquals(2, shortName.exit());
        assertTrue(shortName.err().startsWith("error: unexpected argument '-n' found"), shortName.err());
        assertEquals(2, call("machine", "exec", "--name", "vm5").exit(), "a command is required after --");
        long t0 = System.nanoTime();
        assertEquals(
                124,
                call("machine", "exec", "--name", "vm5", "--timeout", "300ms", "--", "sleep", "5")
                        .exit());
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
        assertEquals(
                2,
                call("machine", "exec", "--name", "vm5", "--timeout", "0s", "--", "true")
                        .exit());
        Run spawn = call("machine", "exec", "--name", "vm5", "--", "/no/such/binary");
        assertEquals(1, spawn.exit());
        assertTrue(spawn.err().startsWith("Error: agent operation failed: vm exec: failed to spawn command:"));
    }

    @Test
    void egressFlagsAreValidatedAsSmolvmDoes() {
        Run badCidr = call("machine", "create", "--name", "c1", "--allow-cidr", "localhost");
        assertEquals(2, badCidr.exit());
        assertTrue(badCidr.err().contains("invalid CIDR 'localhost': expected format like 10.0.0.0/8 or 1.1.1.1"));
        Run tsi = call("machine", "create", "--name", "c2", "--net-backend", "tsi", "--allow-cidr", "10.0.0.0/8");
        assertEquals(1, tsi.exit());
        assertTrue(tsi.err().contains("requires the virtio-net backend"), tsi.err());
        Run noNet = call("machine", "create", "--name", "c3", "--image", "alpine:3");
        assertTrue(noNet.err().contains("must be pulled from a registry, but this machine has no network"));
        assertEquals(List.of(), smolvm.machines());
    }

    @Test
    void secretsComeFromTheCallersEnvironmentAtExecAndAreNotStored() {
        running("vm6", "--secret-env", "TOKEN=HOST_TOKEN");
        env.put("HOST_TOKEN", "s3cr3t");
        assertEquals(
                "s3cr3t\n",
                call("machine", "exec", "--name", "vm6", "--", "printenv", "TOKEN")
                        .out());
        assertEquals(
                Map.of("TOKEN", "HOST_TOKEN"),
                smolvm.machine("vm6").orElseThrow().secretEnv());
        assertFalse(smolvm.machine("vm6").orElseThrow().env().containsValue("s3cr3t"));
    }

    @Test
    void lsJsonListsMachinesWithTheirLabels() throws Exception {
        assertEquals("[ ]", call("machine", "ls", "--json").out().strip());
        assertEquals("No machines found\n", call("machine", "list").out());
        running("vm7", "--label", "dev.bottles.identity=a-1");
        JsonNode all =
                new ObjectMapper().readTree(call("machine", "ls", "--json").out());
        assertEquals(1, all.size());
        assertEquals("vm7", all.get(0).path("name").asText());
        assertEquals("running", all.get(0).path("state").asText());
        assertEquals(
                "a-1", all.get(0).path("labels").path("dev.bottles.identity").asText());
        assertTrue(all.get(0).path("pid").isInt());
        JsonNode one = new ObjectMapper()
                .readTree(call("machine", "status", "--name", "vm7", "--json").out());
        assertEquals("running", one.path("state").asText());
    }

    @Test
    void injectedFailuresAreServedOnceAndLogged() {
        call("machine", "create", "--name", "vm8", "--from", packed().toString());
        smolvm.failNext("machine start", FakeSmolvm.Failure.KVM_NOT_AVAILABLE);
        Run failed = call("machine", "start", "--name", "vm8");
        assertEquals(1, failed.exit());
        assertTrue(failed.err().startsWith("Error: agent operation failed: start machine: kvm not available:"));
        assertEquals("created", smolvm.machine("vm8").orElseThrow().state(), "the failed start changed nothing");
        assertEquals(0, call("machine", "start", "--name", "vm8").exit());
        List<List<String>> log = smolvm.invocations();
        assertEquals(List.of("machine", "start", "--name", "vm8"), log.get(log.size() - 1));
        assertEquals(log.get(log.size() - 2), log.get(log.size() - 1), "the failed call is logged too");
    }

    @Test
    void theLauncherRunsAsAPlainExecutableOnThePath() throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder("/bin/sh", "-c", "smolvm --version").redirectInput(new File("/dev/null"));
        pb.environment().put("PATH", smolvm.executable().getParent() + File.pathSeparator + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals("smolvm 1.9.2\n", out);
        Process missing = new ProcessBuilder(smolvm.executable().toString(), "machine", "start", "--name", "nope")
                .redirectInput(new File("/dev/null"))
                .start();
        String err = new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, missing.waitFor());
        assertEquals("Error: vm not found: nope\n", err);
        assertEquals(Optional.empty(), smolvm.machine("nope"));
        assertEquals(
                List.of(List.of("--version"), List.of("machine", "start", "--name", "nope")), smolvm.invocations());
    }
}
