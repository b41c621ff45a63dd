package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The wrapper every command in the agent pod runs under. {@code pods/exec} has no environment,
 * working directory or user of its own, and its command line may be audited, so the wrapper:
 *
 * <ol>
 *   <li>writes its pid where a timeout can find it;
 *   <li>exports the bottle's environment from {@value BottleObjects#RUN_DIR}{@code /env};
 *   <li>exports the command's own variables (forwarded values, the caller's) from a header on stdin
 *       ended by an empty line, or from a one-shot file it removes at once (on a terminal, where
 *       stdin would echo);
 *   <li>changes to the working directory;
 *   <li>hands the command exactly the stated number of further stdin bytes through a private fifo, or
 *       {@code /dev/null}.
 * </ol>
 *
 * Each variable is exported whole ({@code export "$line"}), never evaluated by the shell.
 */
public final class AgentShell {
    /** The bottle's environment file in the agent pod. */
    public static final String ENV_FILE = BottleObjects.RUN_DIR + "/env";

    static final String SCRIPT = "echo $$ > \"$1\" 2>/dev/null; shift;"
            + " while IFS= read -r l || [ -n \"$l\" ]; do [ -n \"$l\" ] && export \"$l\"; done < " + ENV_FILE + ";"
            + " if [ \"$1\" = - ]; then while IFS= read -r l && [ -n \"$l\" ]; do export \"$l\"; done;"
            + " else while IFS= read -r l || [ -n \"$l\" ]; do [ -n \"$l\" ] && export \"$l\"; done < \"$1\";"
            + " rm -f \"$1\"; fi; shift;"
            + " cd \"$1\" || exit 126; shift; n=$1; shift;"
            + " if [ \"$n\" = - ]; then exec \"$@\" < /dev/null; fi; if [ \"$n\" = = ]; then exec \"$@\"; fi;"
            + " f=/tmp/.bottle-in-$$; mkfifo -m 600 \"$f\" || exit 126; exec 3<&0;"
            + " head -c \"$n\" <&3 > \"$f\" & exec < \"$f\" 3<&-; rm -f \"$f\"; exec \"$@\"";

    /** No stdin for the command: it reads {@code /dev/null}. */
    public static final long NO_STDIN = -1;
    /** All of stdin for the command, as on a terminal. */
    public static final long ALL_STDIN = -2;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private AgentShell() {}

    /**
     * Returns the command line: the wrapper, then the command. Holds no variable's value.
     *
     * @param pidFile where the wrapper writes its pid
     * @param envSource {@code -} for the stdin header, or the one-shot file
     * @param workdir the working directory
     * @param stdinLength the bytes of stdin the command gets after the header, {@link #NO_STDIN} for
     *     none, or {@link #ALL_STDIN} for all of it (a terminal)
     * @param argv the command
     * @return the argv for {@code pods/exec}
     */
    public static List<String> command(
            String pidFile, String envSource, String workdir, long stdinLength, List<String> argv) {
        List<String> out = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                SCRIPT,
                "bottle-exec",
                pidFile,
                envSource,
                workdir,
                stdinLength == ALL_STDIN ? "=" : stdinLength < 0 ? "-" : Long.toString(stdinLength)));
        out.addAll(argv);
        return out;
    }

    /**
     * Returns variables as the wrapper reads them: {@code NAME=value} lines and, for the stdin header,
     * an empty line after them.
     *
     * @param vars the variables
     * @param header whether this is the stdin header (ended by an empty line)
     * @return the bytes
     * @throws BottleException when a name is not a shell variable name or a value holds a newline or NUL
     */
    public static byte[] lines(Map<String, String> vars, boolean header) {
        StringBuilder sb = new StringBuilder();
        vars.forEach((k, v) -> {
            if (!NAME.matcher(k).matches()) {
                throw new BottleException("'" + k + "' is not a variable name the agent's shell can take; use"
                        + " letters, digits and '_', not starting with a digit");
            }
            if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\0') >= 0) {
                throw new BottleException(
                        "the value of " + k + " holds a newline or NUL, which cannot be passed" + " into the bottle");
            }
            sb.append(k).append('=').append(v).append('\n');
        });
        if (header) {
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
