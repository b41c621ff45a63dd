package dev.bottles.examples.cli;

import dev.bottles.Bottles;
import dev.bottles.spi.BottleSummary;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bottle list}: one line per bottle on every available backend. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Lists running bottles, one per line: backend, identity, agent, services, status.")
final class ListCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Override
    public Integer call() {
        Io io = parent.io();
        List<BottleSummary> all = Bottles.list();
        if (all.isEmpty()) {
            io.err().println("no bottles");
            return ExitCodes.OK;
        }
        for (BottleSummary s : all) {
            io.out()
                    .printf(
                            "%-14s %-28s %-20s %-32s %-10s %s%n",
                            s.backend(),
                            s.identity(),
                            s.agent() == null ? "-" : s.agent(),
                            s.services().isEmpty() ? "-" : String.join(",", s.services()),
                            s.status(),
                            s.ownerText());
        }
        return ExitCodes.OK;
    }
}
