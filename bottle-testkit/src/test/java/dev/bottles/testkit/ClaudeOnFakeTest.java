package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecTimeoutException;
import dev.bottles.RunningBottle;
import dev.bottles.claude.ClaudeCode;
import dev.bottles.claude.ClaudeEvent;
import dev.bottles.claude.ClaudeTask;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code that drives Claude Code, tested on the fake backend with scripted stream-json. */
class ClaudeOnFakeTest {
    @TempDir
    Path home;

    private final FakeBackend fake = new FakeBackend();

    private RunningBottle launch() {
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("b").build())
                .agent(AgentDefinition.builder("a").bottle("b").build())
                .build();
        return Bottles.using(fake)
                .prepare(BottleSpec.builder("a").manifest(m).home(home).build())
                .launch();
    }

    @Test
    void scriptedEventsArriveInOrderWithTheResultAndThePromptGoesOnStandardInput() {
        fake.onExec("claude")
                .reply(
                        0,
                        ClaudeScript.session("s-1")
                                .text("Looking.")
                                .toolUse("t-1", "Bash", "{\"command\":\"ls\"}")
                                .toolResult("t-1", "README.md", false)
                                .event("{\"type\":\"rate_limit_event\",\"session_id\":\"s-1\"}")
                                .result("Done."),
                        "");
        try (RunningBottle b = launch()) {
            List<ClaudeEvent> events = new ArrayList<>();
            ClaudeEvent.Result r =
                    ClaudeCode.in(b).run(ClaudeTask.of("list the files; \"quoted\" and\nmultiline"), events::add);
            assertEquals("Done.", r.text());
            assertEquals("s-1", r.sessionId());
            assertEquals(2, r.turns());
            assertEquals(
                    List.of(
                            ClaudeEvent.SessionStarted.class,
                            ClaudeEvent.AssistantText.class,
                            ClaudeEvent.ToolUse.class,
                            ClaudeEvent.ToolResult.class,
                            ClaudeEvent.Other.class,
                            ClaudeEvent.Result.class),
                    events.stream().map(Object::getClass).toList());
            assertEquals("rate_limit_event", ((ClaudeEvent.Other) events.get(4)).type());
            assertEquals(List.of("list the files; \"quoted\" and\nmultiline"), fake.inputs(b.identity()));
            List<String> argv = fake.commands(b.identity()).get(0);
            assertEquals(
                    List.of(
                            "claude",
                            "--dangerously-skip-permissions",
                            "--print",
                            "--output-format",
                            "stream-json",
                            "--verbose"),
                    argv,
                    "the prompt is never on the command line");
        }
    }

    @Test
    void resumeContinueAndModelReachTheCommandLine() {
        fake.onExec("claude").reply(0, ClaudeScript.session("s-2").result("ok"), "");
        try (RunningBottle b = launch()) {
            ClaudeCode.in(b).run(ClaudeTask.of("x").resuming("s-1").withModel("claude-x"), e -> {});
            ClaudeCode.in(b).run(ClaudeTask.of("y").continuing().withArgs("--max-turns", "3"), e -> {});
            List<List<String>> cmds = fake.commands(b.identity());
            assertTrue(
                    String.join(" ", cmds.get(0)).endsWith("--resume s-1 --model claude-x"),
                    cmds.get(0).toString());
            assertTrue(
                    String.join(" ", cmds.get(1)).endsWith("--continue --max-turns 3"),
                    cmds.get(1).toString());
        }
        assertThrows(IllegalArgumentException.class, () -> ClaudeTask.of("x").resuming("s; rm -rf /"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ClaudeTask("x", "s", true, null, Duration.ofMinutes(1), List.of()));
        assertEquals(null, ClaudeTask.of("x").resuming("s").continuing().resume(), "the last choice wins");
    }

    @Test
    void aRunWithoutAResultFailsWithClaudeCodesErrorAndATimeoutStopsIt() {
        fake.onExec("claude").reply(1, "", "Invalid API key\n");
        try (RunningBottle b = launch()) {
            BottleException e =
                    assertThrows(BottleException.class, () -> ClaudeCode.in(b).run(ClaudeTask.of("x"), ev -> {}));
            assertTrue(e.getMessage().contains("exited 1 without a result: Invalid API key"), e.getMessage());
        }
        FakeBackend slow = new FakeBackend();
        slow.onExec("claude")
                .taking(Duration.ofHours(1))
                .reply(0, ClaudeScript.session("s").result("late"), "");
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("b").build())
                .agent(AgentDefinition.builder("a").bottle("b").build())
                .build();
        try (RunningBottle b = Bottles.using(slow)
                .prepare(BottleSpec.builder("a").manifest(m).home(home).build())
                .launch()) {
            assertThrows(
                    ExecTimeoutException.class,
                    () -> ClaudeCode.in(b).run(ClaudeTask.of("x").withTimeout(Duration.ofSeconds(5)), ev -> {}));
        }
    }

    @Test
    void copyToAndCopyFromRoundTripOnTheFakeAfterTheRealArchiveChecks() throws Exception {
        try (RunningBottle b = launch()) {
            b.copyTo(new ByteArrayInputStream(tar("w/a.txt", "w/sub/b.txt")), "/workspace");
            assertArrayEquals(
                    "w/a.txt".getBytes(StandardCharsets.UTF_8),
                    fake.files(b.identity()).get("/workspace/w/a.txt"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.copyFrom("/workspace/w", out);
            List<String> names = new ArrayList<>();
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
                for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    names.add(e.getName());
                }
            }
            assertEquals(List.of("w/a.txt", "w/sub/b.txt"), names);
            BottleException bad = assertThrows(
                    BottleException.class,
                    () -> b.copyTo(new ByteArrayInputStream(tar("ok.txt", "../../etc/passwd")), "/workspace"));
            assertTrue(bad.getMessage().contains("../../etc/passwd"), bad.getMessage());
            assertEquals(2, fake.files(b.identity()).size(), "nothing of the refused archive was unpacked");
            assertThrows(BottleException.class, () -> b.copyFrom("/nowhere", new ByteArrayOutputStream()));
        }
    }

    private static byte[] tar(String... names) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (String n : names) {
                TarArchiveEntry e = new TarArchiveEntry(n, true);
                byte[] c = n.getBytes(StandardCharsets.UTF_8);
                e.setSize(c.length);
                out.putArchiveEntry(e);
                out.write(c);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
