package dev.bottles.examples.cli;

import dev.bottles.ExecOptions;
import dev.bottles.ReachedBottle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bottle attach <identity> [-- command]}: the agent of a running bottle on this terminal. */
@Command(
        name = "attach",
        mixinStandardHelpOptions = true,
        description = {
            "Puts a running bottle's agent on this terminal, whichever process launched it.",
            "Without a command, the bottle's agent command (Claude Code resumes its last conversation)."
        })
final class AttachCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @CommandLine.Mixin
    BottleTarget target;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "a command to run instead of the agent")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Io io = parent.io();
        return attach(target.reach(io), command, io);
    }

    static int attach(ReachedBottle b, List<String> command, Io io) {
        if (!b.ownerAnswers()) {
            io.err()
                    .println("the program that launched " + b.identity() + " does not answer: its forwarded values"
                            + " (${VAR} and ? secrets) are not set in this session");
            io.err().flush();
        }
        return b.attach(command.isEmpty() ? b.agentCommand() : command, ExecOptions.defaults());
    }
}
