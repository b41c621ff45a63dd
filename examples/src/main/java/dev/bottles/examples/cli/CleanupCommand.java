package dev.bottles.examples.cli;

import dev.bottles.Bottles;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bottle cleanup}: remove what no running bottle owns, and state without {@code .preserve}. */
@Command(
        name = "cleanup",
        mixinStandardHelpOptions = true,
        description = "Removes, on every available backend, what no running bottle owns, and every state dir without"
                + " a .preserve marker, of bottles whose owner is gone. Shows what it would remove, each with its"
                + " reason, and asks first.")
final class CleanupCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Option(names = "--home", paramLabel = "DIR", description = "the bottle home whose state dirs are reaped")
    Path home;

    @Option(
            names = {"-y", "--yes"},
            description = "do not ask")
    boolean yes;

    @Option(names = "--dry-run", description = "list what would be removed, each with its reason, and remove nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        Io io = parent.io();
        BottleHome h = BottleHome.resolve(home, io.env());
        CleanupReport plan = Bottles.cleanup(CleanupRequest.reportOnly(), h);
        if (plan.removed().isEmpty()) {
            io.err().println("nothing to clean up");
            return ExitCodes.OK;
        }
        plan.removed().forEach(r -> io.out().println("would remove " + r));
        io.out().flush();
        if (dryRun) {
            return ExitCodes.OK;
        }
        if (!yes && !io.confirm("Remove these?")) {
            return ExitCodes.DECLINED;
        }
        CleanupReport done = Bottles.cleanup(CleanupRequest.remove(), h);
        done.removed().forEach(r -> io.out().println("removed " + r));
        done.failed().forEach(f -> io.err().println("could not remove " + f));
        return done.failed().isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
