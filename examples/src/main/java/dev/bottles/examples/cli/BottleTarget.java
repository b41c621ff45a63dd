package dev.bottles.examples.cli;

import dev.bottles.Bottles;
import dev.bottles.ReachedBottle;
import dev.bottles.state.BottleHome;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options naming one running bottle of a bottle home ({@code attach}, {@code stop}). */
final class BottleTarget {
    @Option(names = "--home", paramLabel = "DIR", description = "the bottle home")
    Path home;

    @Parameters(index = "0", paramLabel = "IDENTITY", description = "the bottle, as 'bottle list' shows it")
    String identity;

    ReachedBottle reach(Io io) {
        return Bottles.reach(identity, BottleHome.resolve(home, io.env()));
    }
}
