package dev.bottles.examples.cli;

import dev.bottles.ApprovalHandler;
import dev.bottles.BottleException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.state.BottleHome;
import dev.bottles.state.BottleMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bottle resume}: start a bottle again under an identity whose state was kept. */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = "Starts a bottle again under the identity of one whose state was kept (a non-zero exit, or an"
                + " approved capability change).")
final class ResumeCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @CommandLine.Mixin
    BottleCli.Common common = new BottleCli.Common();

    @Parameters(index = "0", paramLabel = "IDENTITY", description = "e.g. researcher-m3hxd")
    String identity;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "run this instead of the agent's command")
    List<String> command = new ArrayList<>();

    @Option(
            names = {"-y", "--yes"},
            description = "do not ask before launching")
    boolean yes;

    @Override
    public Integer call() {
        Io io = parent.io();
        BottleHome home = common.home(io);
        BottleMetadata m = home.state(identity)
                .readMetadata()
                .orElseThrow(() -> new BottleException("no kept state for " + identity + " under " + home.stateRoot()
                        + "; 'bottle list' shows running bottles"));
        BottleSpec.Builder spec = BottleSpec.builder(m.agentName())
                .identity(identity)
                .home(home.root())
                .userCwd(Path.of(m.cwd()))
                .copyCwd(m.copyCwd())
                .settings(common.settings)
                .hostEnvironment(io.env())
                .secretPrompter(new TerminalSecrets())
                .approvals(ApprovalHandler.awaitingOperator(home));
        if (!m.backend().isEmpty()) {
            spec.backend(m.backend());
        }
        PreparedBottle p = Bottles.prepare(spec.build());
        List<String> argv = command;
        if (argv.isEmpty() && Files.isDirectory(home.state(identity).transcriptDir())) {
            // the session's transcript comes back into the bottle: Claude Code goes on where it stopped
            argv = new ArrayList<>(p.plan().agentCommand());
            argv.add("--continue");
        }
        return StartCommand.launch(io, p, argv, false, false, yes, false);
    }
}
