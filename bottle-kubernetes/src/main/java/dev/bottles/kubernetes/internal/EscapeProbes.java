package dev.bottles.kubernetes.internal;

import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.kubernetes.EscapeProbe;
import java.time.Duration;
import java.util.List;

/**
 * The escape attempts a verification runs in a canary bottle's agent, with stock {@code curl}: a TCP
 * connection to each target, bypassing the proxy. A connection counts as made when curl reports a
 * connect time; curl missing, or any other failure to tell, is inconclusive, never a pass.
 */
public final class EscapeProbes {
    /** The cloud metadata address. */
    public static final String METADATA = "169.254.169.254";

    private EscapeProbes() {}

    /**
     * One target.
     *
     * @param name what the attempt tries
     * @param host the address
     * @param port the port
     */
    public record Target(String name, String host, int port) {}

    /** Runs a command in a bottle's agent. */
    @FunctionalInterface
    public interface Exec {
        /**
         * Runs it.
         *
         * @param argv the command
         * @param options the options
         * @return what it did
         */
        ExecResult exec(List<String> argv, ExecOptions options);
    }

    /**
     * Tries to connect to a target from the bottle's agent.
     *
     * @param bottle runs commands in the canary's agent
     * @param t the target
     * @return what came of it
     */
    public static EscapeProbe attempt(Exec bottle, Target t) {
        String url = "telnet://" + (t.host().contains(":") ? "[" + t.host() + "]" : t.host()) + ":" + t.port();
        ExecResult r;
        try {
            r = bottle.exec(
                    List.of(
                            "sh",
                            "-c",
                            "command -v curl >/dev/null || exit 127; curl -s -o /dev/null --noproxy '*'"
                                    + " --connect-timeout 4 -m 6 -w '%{time_connect}' \"$1\" </dev/null; echo \" $?\"",
                            "probe",
                            url),
                    ExecOptions.defaults().withTimeout(Duration.ofSeconds(20)));
        } catch (RuntimeException e) {
            return new EscapeProbe(
                    t.name(), target(t), EscapeProbe.Outcome.INCONCLUSIVE, String.valueOf(e.getMessage()));
        }
        return judge(t, r.exitCode(), r.stdout().strip());
    }

    /**
     * Judges curl's answer: {@code <time_connect> <exit code>}.
     *
     * @param t the target
     * @param shellExit the wrapper's exit code (127 when curl is missing)
     * @param out what it printed
     * @return the outcome
     */
    static EscapeProbe judge(Target t, int shellExit, String out) {
        if (shellExit == 127) {
            return new EscapeProbe(t.name(), target(t), EscapeProbe.Outcome.INCONCLUSIVE, "no curl in the agent image");
        }
        String[] parts = out.split("\\s+");
        if (parts.length != 2) {
            return new EscapeProbe(t.name(), target(t), EscapeProbe.Outcome.INCONCLUSIVE, "curl said '" + out + "'");
        }
        double connect;
        try {
            connect = Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            return new EscapeProbe(t.name(), target(t), EscapeProbe.Outcome.INCONCLUSIVE, "curl said '" + out + "'");
        }
        if (connect > 0) {
            return new EscapeProbe(t.name(), target(t), EscapeProbe.Outcome.ESCAPED, "connected in " + parts[0] + " s");
        }
        return new EscapeProbe(t.name(), target(t), EscapeProbe.Outcome.BLOCKED, "curl exit " + parts[1]);
    }

    private static String target(Target t) {
        return t.host() + ":" + t.port();
    }
}
