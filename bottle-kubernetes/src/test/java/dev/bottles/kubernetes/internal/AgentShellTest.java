package dev.bottles.kubernetes.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's exec wrapper run by the host's stock {@code /bin/sh}, with its environment file moved
 * into a temporary directory, and with stdin left open as a cluster's exec stream leaves it.
 */
class AgentShellTest {
    @TempDir
    Path dir;

    record Ran(int code, String out, String err) {}

    private Ran run(Map<String, String> base, byte[] stdin, String envSource, long length, List<String> argv)
            throws Exception {
        Path env = dir.resolve("env");
        Files.write(env, AgentShell.lines(base, false));
        List<String> cmd = new ArrayList<>(
                AgentShell.command(dir.resolve("pid").toString(), envSource, dir.toString(), length, argv));
        cmd.set(2, cmd.get(2).replace(AgentShell.ENV_FILE, env.toString()));
        Process p = new ProcessBuilder(cmd).start();
        OutputStream in = p.getOutputStream();
        in.write(stdin);
        in.flush(); // and never closed: the exec stream cannot close it
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the command ended without the end of stdin");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        in.close();
        return new Ran(p.exitValue(), out, err);
    }

    @Test
    void variablesAreExportedVerbatimNeverEvaluated() throws Exception {
        Path marker = dir.resolve("pwned");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("A", "$(touch " + marker + ")");
        vars.put("B", "`touch " + marker + "` 'single' \"double\" $HOME ; & | * ?");
        vars.put("C", "");
        byte[] header = AgentShell.lines(vars, true);
        Ran r = run(
                Map.of("BASE", "x y $USER"),
                header,
                "-",
                AgentShell.NO_STDIN,
                List.of("sh", "-c", "printf '%s|%s|%s|%s' \"$A\" \"$B\" \"$C\" \"$BASE\""));
        assertEquals(0, r.code(), r.err());
        assertEquals(vars.get("A") + "|" + vars.get("B") + "||x y $USER", r.out());
        assertFalse(Files.exists(marker), "a value was evaluated");
    }

    @Test
    void theCommandGetsExactlyTheStatedBytesThenTheEnd() throws Exception {
        byte[] payload = "line one\nline two, no newline".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(AgentShell.lines(Map.of("V", "1"), true));
        in.write(payload);
        in.write("TRAILING BYTES THAT ARE NOT THE COMMAND'S".getBytes(StandardCharsets.UTF_8));
        Ran r = run(Map.of(), in.toByteArray(), "-", payload.length, List.of("cat"));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(payload, r.out().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutStdinTheCommandReadsNothingAndEnds() throws Exception {
        Ran r = run(Map.of(), AgentShell.lines(Map.of(), true), "-", AgentShell.NO_STDIN, List.of("cat"));
        assertEquals(0, r.code());
        assertEquals("", r.out());
    }

    @Test
    void exitCodesOutputAndTheWorkingDirectoryComeThrough() throws Exception {
        Ran r = run(
                Map.of(),
                AgentShell.lines(Map.of(), true),
                "-",
                AgentShell.NO_STDIN,
                List.of("sh", "-c", "pwd; echo err >&2; exit 7"));
        assertEquals(7, r.code());
        assertEquals(dir.toRealPath() + "\n", r.out());
        assertEquals("err\n", r.err());
        assertTrue(Files.readString(dir.resolve("pid")).strip().matches("[0-9]+"), "the pid is where a timeout looks");
    }

    @Test
    void aOneShotEnvFileIsReadAndRemovedBeforeTheCommand() throws Exception {
        Path once = dir.resolve("once.env");
        Files.write(once, AgentShell.lines(Map.of("SECRETISH", "v a l"), false));
        Ran r = run(
                Map.of(),
                new byte[0],
                once.toString(),
                AgentShell.NO_STDIN,
                List.of("sh", "-c", "printf '%s' \"$SECRETISH\"; test -e " + once + " && echo STILL-THERE"));
        assertEquals("v a l", r.out());
    }

    @Test
    void namesAndValuesTheWrapperCannotCarryAreRefused() {
        assertThrows(BottleException.class, () -> AgentShell.lines(Map.of("1BAD", "x"), true));
        assertThrows(BottleException.class, () -> AgentShell.lines(Map.of("A-B", "x"), true));
        assertThrows(BottleException.class, () -> AgentShell.lines(Map.of("OK", "two\nlines"), true));
        assertThrows(BottleException.class, () -> AgentShell.lines(Map.of("OK", "nul\0"), true));
    }

    @Test
    void theCommandLineNeverHoldsAValue() {
        List<String> argv = AgentShell.command("/tmp/p", "-", "/workspace", 12, List.of("echo", "hi"));
        assertEquals(List.of("echo", "hi"), argv.subList(argv.size() - 2, argv.size()));
        assertEquals(10, argv.size(), "sh -c script name pid env dir length + the command: " + argv);
    }
}
