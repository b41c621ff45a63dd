package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bottles.testkit.internal.FakeShell;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FakeShellTest {
    private final FakeShell sh = new FakeShell(Map.of("A", "1"));

    private ExecReply script(String s) {
        return sh.run(List.of("sh", "-c", s)).orElseThrow();
    }

    @Test
    void scriptsRunStatementsInOrderWithRedirectsAndExit() {
        assertEquals(ExecReply.of(3, "out\n", "err\n"), script("echo out; echo err >&2; exit 3"));
        assertEquals(ExecReply.of(0, "a b;c\n", ""), script("echo 'a b;c'"));
        assertEquals(ExecReply.of(1, "", ""), script("false && echo never"));
        assertEquals(ExecReply.of(0, "1\nyes\n", ""), script("printenv A && echo yes"));
        assertEquals(new ExecReply(0, "", "", Duration.ofMillis(1500)), script("sleep 1.5"));
        assertEquals(ExecReply.of(127, "", "sh: curl: not found\n"), script("curl http://x"));
        assertEquals(ExecReply.of(0, "-n x", ""), script("echo -n -n x"));
    }

    @Test
    void plainCommandsAndUnknownOnes() {
        assertEquals(Optional.of(ExecReply.of(0, "A=1\n", "")), sh.run(List.of("env")));
        assertEquals(Optional.of(ExecReply.of(0, "/workspace\n", "")), sh.run(List.of("pwd")));
        assertEquals(Optional.of(ExecReply.of(1, "", "")), sh.run(List.of("printenv", "B")));
        assertEquals(Optional.empty(), sh.run(List.of("claude")));
    }
}
