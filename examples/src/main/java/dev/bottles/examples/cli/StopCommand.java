package dev.bottles.examples.cli;

import dev.bottles.ReachedBottle;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bottle stop <identity>}: stops a running bottle, whichever process launched it; its state is kept. */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = {"Stops a running bottle, whichever process launched it, and keeps its state for 'bottle resume'."
        })
final class StopCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @CommandLine.Mixin
    BottleTarget target;

    @Override
    public Integer call() {
        Io io = parent.io();
        io.out().println(stop(target.reach(io)));
        return ExitCodes.OK;
    }

    static String stop(ReachedBottle b) {
        boolean owner = b.ownerAnswers();
        b.stop();
        return "stopped " + b.identity()
                + (owner
                        ? " (its program closed it)"
                        : " (through " + b.backend() + "; its" + " program did not answer)")
                + "; state kept: 'bottle resume " + b.identity() + "' brings it back";
    }
}
