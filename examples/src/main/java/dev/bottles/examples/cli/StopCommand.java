package dev.bottles.examples.cli;

import dev.bottles.Bottles;
import dev.bottles.ReachedBottle;
import dev.bottles.state.BottleHome;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bottle stop <identity>}: stops a running bottle, whichever process launched it; its state is kept. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stops a running bottle, whichever process launched it, and keeps its state for 'bottle resume'."})
final class StopCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Option(names = "--home", paramLabel = "DIR", description = "the bottle home")
    Path home;

    @Parameters(index = "0", paramLabel = "IDENTITY", description = "the bottle, as 'bottle list' shows it")
    String identity;

    @Override
    public Integer call() {
        Io io = parent.io();
        ReachedBottle b = Bottles.reach(identity, BottleHome.resolve(home, io.env()));
        io.out().println(stop(b));
        return ExitCodes.OK;
    }

    static String stop(ReachedBottle b) {
        boolean owner = b.ownerAnswers();
        b.stop();
        return "stopped " + b.identity() + (owner ? " (its program closed it)" : " (through " + b.backend() + "; its"
                + " program did not answer)") + "; state kept: 'bottle resume " + b.identity() + "' brings it back";
    }
}
