package dev.bottles.examples;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;

/**
 * README's quick start, as a program: a manifest built in code, a bottle prepared and launched on
 * whichever backend is available, one command run in it, the bottle closed. A test keeps the code
 * between the markers identical to README's.
 */
public final class HelloBottle {
    private HelloBottle() {}

    /**
     * Runs the quick start.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // quick-start:begin
        Manifest manifest = Manifest.builder()
                .bottle(BottleDefinition.builder("dev")
                        .literal("GIT_AUTHOR_NAME", "Ada")
                        .route(EgressRoute.to("registry.npmjs.org"))
                        .build())
                .agent(AgentDefinition.builder("researcher")
                        .bottle("dev")
                        .prompt("Read, never write.")
                        .build())
                .build();

        BottleSpec spec = BottleSpec.builder("researcher").manifest(manifest).build();
        try (RunningBottle bottle = Bottles.prepare(spec).launch()) {
            ExecResult r = bottle.exec("echo", "hello from the bottle");
            System.out.println(r.exitCode() + " " + r.stdout());
        }
        // quick-start:end
    }
}
