package dev.bottles.examples.cli;

import dev.bottles.ApprovalHandler;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecOptions;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bottle start}: prepare, show the plan, ask, launch, hand over the terminal, settle. */
@Command(
        name = "start",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a bottle for an agent and attaches the agent's command to this terminal.",
            "After the agent exits, a zero exit removes the bottle's state; any other keeps it for 'bottle resume'."
        })
final class StartCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @CommandLine.Mixin
    BottleCli.Common common = new BottleCli.Common();

    @Parameters(index = "0", paramLabel = "AGENT", description = "the agent, as in agents/<AGENT>.md")
    String agent;

    @Parameters(
            index = "1..*",
            paramLabel = "COMMAND",
            description = "run this instead of the agent's command (put it after --)")
    List<String> command = new ArrayList<>();

    @Option(
            names = "--cwd",
            arity = "0..1",
            paramLabel = "DIR",
            fallbackValue = "",
            description = "copy DIR (default: the current directory) into the bottle")
    String cwd;

    @Option(names = "--backend", paramLabel = "ID", description = "docker, smolmachines, or any installed backend")
    String backend;

    @Option(names = "--dry-run", description = "prepare and print the plan, then discard it; nothing is created")
    boolean dryRun;

    @Option(
            names = "--format",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "the plan's format with --dry-run: ${COMPLETION-CANDIDATES}")
    Format format;

    @Option(
            names = {"-y", "--yes"},
            description = "do not ask before launching")
    boolean yes;

    @Option(
            names = {"-d", "--detach"},
            description =
                    "launch and return: the bottle outlives this command; 'bottle attach' and 'bottle stop' reach it")
    boolean detach;

    enum Format {
        text,
        json
    }

    @Override
    public Integer call() {
        Io io = parent.io();
        Path userCwd = cwd == null || cwd.isEmpty() ? io.cwd() : io.cwd().resolve(cwd);
        BottleSpec.Builder spec = BottleSpec.builder(agent)
                .home(common.home(io).root())
                .userCwd(userCwd)
                .copyCwd(cwd != null)
                .settings(common.settings)
                .hostEnvironment(io.env())
                .secretPrompter(new TerminalSecrets())
                .approvals(ApprovalHandler.awaitingOperator(common.home(io)))
                .detach(detach);
        if (backend != null) {
            spec.backend(backend);
        }
        return launch(io, Bottles.prepare(spec.build()), command, dryRun, format == Format.json, yes, detach);
    }

    /**
     * The flow {@code start} and {@code resume} share once a bottle is prepared.
     *
     * @return the exit code
     */
    static int launch(
            Io io, PreparedBottle p, List<String> command, boolean dryRun, boolean json, boolean yes, boolean detach) {
        if (dryRun && json) {
            io.out().println(p.plan().toJson());
            p.discard();
            return ExitCodes.OK;
        }
        io.out()
                .println("bottle " + p.identity() + " for agent " + p.plan().agentName() + " on "
                        + p.backend().id());
        PlanText.print(p.plan().toJson(), io.out());
        List<String> argv = command.isEmpty() ? p.plan().agentCommand() : command;
        io.out().println("  command  " + String.join(" ", argv));
        io.out().flush();
        if (dryRun) {
            p.discard();
            return ExitCodes.OK;
        }
        if (!yes && !io.confirm("Launch it?")) {
            p.discard();
            io.err().println("not launched; nothing was created");
            return ExitCodes.DECLINED;
        }
        if (p.plan().toJson().contains("supervise")) {
            io.err()
                    .println(
                            "supervise is on: the agent's requests wait for you in 'bottle dashboard' (another terminal)");
        }
        long t0 = System.nanoTime();
        RunningBottle r = p.launch();
        if (detach) {
            io.out()
                    .printf(
                            "bottle %s is up (%d ms), detached.%n  attach:  bottle attach %s%n  stop:    bottle stop %s%n",
                            r.identity(), (System.nanoTime() - t0) / 1_000_000, r.identity(), r.identity());
            io.out().flush();
            return ExitCodes.OK;
        }
        io.err()
                .printf(
                        "bottle %s is up (%d ms); attaching: %s%n",
                        r.identity(), (System.nanoTime() - t0) / 1_000_000, String.join(" ", argv));
        io.err().flush();
        // A CLI ended by a signal (its terminal closed, SIGTERM) settles the bottle as an agent that was
        // stopped: the runtime goes, the state is kept for resume.
        Thread settleAtExit = new Thread(
                () -> {
                    try {
                        r.settle(ExitCodes.STOPPED);
                    } catch (RuntimeException e) {
                        System.err.println(
                                "bottle " + r.identity() + " could not be settled at exit: " + e.getMessage());
                    }
                },
                "bottle-settle-at-exit");
        Runtime.getRuntime().addShutdownHook(settleAtExit);
        int code;
        try {
            code = r.attach(argv, ExecOptions.defaults());
        } catch (RuntimeException e) {
            r.settle(ExitCodes.FAILED);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(settleAtExit);
            } catch (IllegalStateException exiting) {
                // the hook is already running
            }
        }
        r.settle(code);
        if (code != 0) {
            io.err()
                    .println("the agent exited " + code + "; bottle " + r.identity()
                            + " kept its state. Resume it with:" + "\n  bottle resume " + r.identity());
        }
        return code;
    }
}
