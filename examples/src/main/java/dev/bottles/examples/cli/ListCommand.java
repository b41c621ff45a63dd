package dev.bottles.examples.cli;

import dev.bottles.Bottles;
import dev.bottles.spi.BottleSummary;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bottle list}: one line per bottle on every available backend. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description =
                "Lists running bottles, one per line: backend, identity, agent, services, status, owner and lease.")
final class ListCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @CommandLine.Option(
            names = "--home",
            paramLabel = "DIR",
            description = "the bottle home whose leases are shown (default: BOTTLE_HOME or ~/.claude-bottle)")
    Path home;

    @Override
    public Integer call() {
        Io io = parent.io();
        BottleHome h = BottleHome.resolve(home, io.env());
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
                            s.ownerText() + lease(h, s.identity()));
        }
        return ExitCodes.OK;
    }

    /** When the owner last renewed its lease in this home, if the bottle's state is here. */
    private static String lease(BottleHome home, String identity) {
        try {
            StateDir s = home.state(identity);
            return s.lease()
                    .map(l -> ", lease renewed "
                            + Math.max(0, Duration.between(l, Instant.now()).toSeconds()) + "s ago")
                    .orElse("");
        } catch (RuntimeException e) {
            return ""; // an identity this home cannot hold
        }
    }
}
