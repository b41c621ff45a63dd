package dev.bottles.examples.cli;

import dev.bottles.claude.ClaudeCode;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.EnvValue;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.Manifest;
import dev.bottles.state.BottleHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bottle info}: an agent's definition and its bottle's, with no secret value. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Shows an agent, its bottle, the environment it gets (values of host variables and secrets"
                + " are never shown), its egress routes, git upstreams and skills.")
final class InfoCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Option(names = "--home", paramLabel = "DIR", description = "the bottle home")
    Path home;

    @Parameters(index = "0", paramLabel = "AGENT")
    String agent;

    @Override
    public Integer call() {
        Io io = parent.io();
        Manifest m = Manifest.load(BottleHome.resolve(home, io.env()).root(), io.cwd())
                .withBuiltIns();
        AgentDefinition a = m.requireAgent(agent);
        BottleDefinition b = m.bottleFor(agent);
        PrintWriter out = io.out();
        out.println("agent " + a.name() + " (" + a.origin() + ")");
        out.println("  bottle   " + a.bottle());
        out.println("  skills   " + (a.skills().isEmpty() ? "-" : String.join(", ", a.skills())));
        out.println(
                "  prompt   " + (a.prompt().isEmpty() ? "-" : a.prompt().lines().count() + " lines"));
        String image = io.env().get("CLAUDE_BOTTLE_IMAGE");
        out.println("  claude   "
                + (image != null && !image.isBlank()
                        ? "as image " + image + " has it"
                        : "Claude Code " + io.env().getOrDefault(ClaudeCode.VERSION_SETTING, ClaudeCode.PINNED_VERSION)
                                + " in the SDK's agent image"));
        out.println("bottle " + b.name() + " (" + b.origin() + ")");
        out.println("  env");
        for (Map.Entry<String, EnvValue> e : b.env().entrySet()) {
            out.println("    " + e.getKey() + " = " + describe(e.getValue()));
        }
        out.println("  egress routes");
        for (EgressRoute r : b.routes()) {
            out.println("    " + r.host() + (r.pathAllowlist().isEmpty() ? "" : " paths " + r.pathAllowlist())
                    + (r.auth() == null
                            ? ""
                            : " auth " + r.auth().scheme().wire() + " from $"
                                    + r.auth().tokenRef()));
        }
        out.println("  git");
        for (GitRemote g : b.git()) {
            out.println("    " + g.name() + " -> " + g.upstream().url());
        }
        out.println("  supervise " + (b.supervise() ? "on" : "off"));
        return ExitCodes.OK;
    }

    private static String describe(EnvValue v) {
        if (v instanceof EnvValue.Literal l) {
            return l.value();
        }
        if (v instanceof EnvValue.HostVariable h) {
            return "from host $" + h.variable() + " (value not shown)";
        }
        return "secret, asked at start (" + v.raw() + ")";
    }
}
