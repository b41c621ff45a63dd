package dev.bottles.examples.cli;

import dev.bottles.BackendUnavailableException;
import dev.bottles.BottleLaunchException;
import dev.bottles.ManifestException;
import dev.bottles.state.BottleHome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bottle}: the original claude-bottle's commands on top of the SDK. {@code start} prepares a
 * bottle for an agent, shows the plan, asks, launches, hands the terminal to the agent and settles
 * with its exit code; {@code resume}, {@code list}, {@code cleanup} and {@code info} do what their
 * names say. Exit codes are in {@link ExitCodes}.
 */
@Command(
        name = "bottle",
        mixinStandardHelpOptions = true,
        version = "bottle 0.1.0",
        description = "Runs an AI coding agent in a bottle whose only way out is its policy sidecars.",
        subcommands = {
            StartCommand.class,
            ResumeCommand.class,
            ListCommand.class,
            CleanupCommand.class,
            InfoCommand.class,
            DashboardCommand.class,
            AttachCommand.class,
            StopCommand.class,
            K8sCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (start/resume: the agent exited 0; otherwise the agent's own code)",
            "1:declined at the prompt",
            "2:bad command line",
            "3:a definition is wrong or asks for what this host lacks",
            "4:no usable backend",
            "5:the launch failed (what it created was removed)",
            "6:any other failure"
        })
public final class BottleCli implements Runnable {
    private final Io io;

    BottleCli(Io io) {
        this.io = io;
    }

    Io io() {
        return io;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this), "name a command: start, resume, list, cleanup," + " info (bottle --help)");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.exit(run(args, new Io(out, err, in, System.getenv(), Path.of("").toAbsolutePath())));
    }

    /**
     * Runs the command line in a given world.
     *
     * @param args the arguments
     * @param io the streams, environment and directory
     * @return the exit code ({@link ExitCodes})
     */
    public static int run(String[] args, Io io) {
        CommandLine cl = new CommandLine(new BottleCli(io));
        cl.setOut(io.out());
        cl.setErr(io.err());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            int code = codeFor(e);
            io.err().println("bottle: " + e.getMessage());
            io.err().flush();
            return code;
        });
        int code = cl.execute(args);
        io.out().flush();
        io.err().flush();
        return code;
    }

    static int codeFor(Exception e) {
        if (e instanceof ManifestException) {
            return ExitCodes.BAD_DEFINITION;
        }
        if (e instanceof BackendUnavailableException) {
            return ExitCodes.NO_BACKEND;
        }
        if (e instanceof BottleLaunchException) {
            return ExitCodes.LAUNCH_FAILED;
        }
        return ExitCodes.FAILED;
    }

    /** Options shared by the commands that prepare bottles. */
    static final class Common {
        @CommandLine.Option(
                names = "--home",
                paramLabel = "DIR",
                description = "the bottle home (default: $BOTTLE_HOME, else ~/.claude-bottle)")
        Path home;

        @CommandLine.Option(
                names = "--set",
                paramLabel = "NAME=VALUE",
                description = "a setting, e.g. --set CLAUDE_BOTTLE_IMAGE=my/agent:1 (repeatable)")
        Map<String, String> settings = new LinkedHashMap<>();

        BottleHome home(Io io) {
            return BottleHome.resolve(home, io.env());
        }
    }
}
