package dev.bottles.kubernetes.internal;

import dev.bottles.sidecars.Terminal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a command in the agent pod attached to this process's terminal. On a terminal the stdin
 * header would echo, so the command's variables go through a one-shot file in the pod's
 * memory-backed run directory, written over stdin by a first exec and removed by the wrapper before
 * the command starts.
 */
final class Attach {
    private static final AtomicLong SESSIONS = new AtomicLong();

    private Attach() {}

    static int run(PodExec agent, Map<String, String> vars, String workdir, List<String> argv) {
        String session = ProcessHandle.current().pid() + "-" + SESSIONS.incrementAndGet();
        String envFile = BottleObjects.RUN_DIR + "/attach-" + session + ".env";
        byte[] lines = AgentShell.lines(vars, false);
        agent.check(
                List.of(
                        "/bin/sh",
                        "-c",
                        "umask 077; head -c \"$1\" > \"$2\"",
                        "bottle-put",
                        Integer.toString(lines.length),
                        envFile),
                lines,
                Duration.ofSeconds(30));
        try (Terminal term = Terminal.raw()) {
            boolean tty = term.present();
            return agent.attach(
                    AgentShell.command("/tmp/.bottle-attach-" + session, envFile, workdir, AgentShell.ALL_STDIN, argv),
                    new byte[0],
                    tty ? term.input() : System.in,
                    System.out,
                    tty,
                    resize -> term.follow(resize::accept));
        }
    }
}
