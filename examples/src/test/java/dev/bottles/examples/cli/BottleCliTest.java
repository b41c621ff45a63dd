package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bottle} through its main, on the testkit's fake backend: parsing, dry runs, prompts, exit codes. */
class BottleCliTest {
    @TempDir
    Path dir;

    CliFixture cli;

    @BeforeEach
    void home() throws Exception {
        cli = new CliFixture(dir);
    }

    private List<String> states() throws Exception {
        Path s = cli.home.resolve("state");
        try (var l = Files.exists(s) ? Files.list(s) : Stream.<Path>empty()) {
            return l.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        CliFixture.Run r = cli.run("", "--help");
        assertEquals(0, r.code());
        for (String s : List.of("start", "resume", "list", "cleanup", "info", "Exit codes:", "4   no usable backend")) {
            assertTrue(r.out().contains(s), s + " in:\n" + r.out());
        }
        for (String c : List.of("start", "resume", "list", "cleanup", "info")) {
            assertEquals(0, cli.run("", c, "--help").code(), c + " --help");
        }
    }

    @Test
    void k8sInitPrintsARestrictedNamespaceItsDefaultDenyAndTheRole() {
        CliFixture.Run r = cli.run("", "k8s", "init", "--namespace", "team-a");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of(
                "name: \"team-a\"",
                "pod-security.kubernetes.io/enforce: \"restricted\"",
                "bottles-default-deny",
                "- \"Egress\"",
                "pods/exec")) {
            assertTrue(r.out().contains(s), s + " in:\n" + r.out());
        }
        assertEquals(ExitCodes.USAGE, cli.run("", "k8s", "push-images").code(), "--registry is required");
        for (String c : List.of("init", "verify", "push-images")) {
            assertEquals(0, cli.run("", "k8s", c, "--help").code(), "k8s " + c + " --help");
        }
    }

    @Test
    void aBadCommandLineIsAUsageError() {
        assertEquals(ExitCodes.USAGE, cli.run("", "launch").code());
        CliFixture.Run r = cli.run("", "start");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("Missing required parameter: 'AGENT'"), r.err());
        assertEquals(
                ExitCodes.USAGE, cli.run("", "start", "demo", "--format=yaml").code());
        assertEquals(ExitCodes.USAGE, cli.run("").code());
    }

    @Test
    void aDryRunPrintsThePlanAndCreatesNothing() throws Exception {
        CliFixture.Run r = cli.run("", "start", "demo", "--backend=fake", "--dry-run", "--home", cli.home.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)bottle demo-[a-z0-9]{5} for agent demo on fake\n.*"), r.out());
        assertTrue(r.out().contains("  command  claude --dangerously-skip-permissions"), r.out());
        assertFalse(r.out().contains("demo-secret-value-1234"), "no secret in the plan");
        assertEquals(List.of(), states(), "a dry run leaves no state");
    }

    @Test
    void aDryRunAsJsonIsTheBackendsPlan() throws Exception {
        CliFixture.Run r = cli.run(
                "", "start", "demo", "--backend=fake", "--dry-run", "--format=json", "--home", cli.home.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode plan = new ObjectMapper().readTree(r.out());
        assertEquals("fake", plan.get("backend").asText());
        assertTrue(plan.get("identity").asText().startsWith("demo-"));
        assertEquals(List.of(), states());
    }

    @Test
    void definitionAndBackendProblemsHaveTheirOwnCodes() {
        CliFixture.Run missing =
                cli.run("", "start", "nobody", "--backend=fake", "--dry-run", "--home", cli.home.toString());
        assertEquals(ExitCodes.BAD_DEFINITION, missing.code());
        assertTrue(missing.err().startsWith("bottle: ") && missing.err().contains("nobody"), missing.err());
        CliFixture.Run backend =
                cli.run("", "start", "demo", "--backend=nope", "--dry-run", "--home", cli.home.toString());
        assertEquals(ExitCodes.NO_BACKEND, backend.code());
        assertTrue(backend.err().contains("nope"), backend.err());
    }

    @Test
    void declinedAtThePromptNothingIsLaunched() throws Exception {
        CliFixture.Run r =
                cli.run("n\n", "start", "demo", "--backend=fake", "--home", cli.home.toString(), "--", "echo", "hi");
        assertEquals(ExitCodes.DECLINED, r.code());
        assertTrue(r.err().contains("Launch it? [y/N]"), r.err());
        assertEquals("", r.attached());
        assertEquals(List.of(), states());
    }

    @Test
    void aLaunchedAgentsExitCodeIsTheCommandsAndANonZeroOneKeepsStateForResume() throws Exception {
        CliFixture.Run ok =
                cli.run("y\n", "start", "demo", "--backend=fake", "--home", cli.home.toString(), "--", "echo", "hi");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("hi\n", ok.attached());
        assertEquals(List.of(), states(), "exit 0 removes the state");

        CliFixture.Run failed =
                cli.run("", "start", "demo", "--yes", "--backend=fake", "--home", cli.home.toString(), "--", "false");
        assertEquals(1, failed.code(), failed.err());
        List<String> kept = states();
        assertEquals(1, kept.size());
        assertTrue(failed.err().contains("bottle resume " + kept.get(0)), failed.err());

        CliFixture.Run resumed =
                cli.run("", "resume", kept.get(0), "--yes", "--home", cli.home.toString(), "--", "echo", "again");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().startsWith("bottle " + kept.get(0) + " for agent demo on fake"), resumed.out());
        assertEquals("again\n", resumed.attached());
        assertEquals(List.of(), states());
    }

    @Test
    void resumingAnUnknownIdentitySaysWhere() {
        CliFixture.Run r = cli.run("", "resume", "demo-zzzzz", "--yes", "--home", cli.home.toString());
        assertEquals(ExitCodes.FAILED, r.code());
        assertTrue(r.err().contains("no kept state for demo-zzzzz under " + cli.home.resolve("state")), r.err());
    }

    @Test
    void infoShowsTheDefinitionsButNoValueFromTheHost() {
        CliFixture.Run r = cli.run("", "info", "demo", "--home", cli.home.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("api.example.test paths [/v1/] auth Bearer from $DEMO_TOKEN"), r.out());
        assertTrue(r.out().contains("API_TOKEN_NAME_ONLY = from host $DEMO_HOST_VALUE (value not shown)"), r.out());
        assertFalse(r.out().contains("host-value-never-shown") || r.out().contains("demo-secret-value-1234"), r.out());
    }
}
