package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import java.nio.file.Path;
import java.util.Map;

/**
 * A user's program for {@code OwnershipIT}, run in a JVM of its own: it launches one bottle on the
 * real engine, prints {@code LAUNCHED <identity>}, then exits without closing it ({@code exit}),
 * launches it detached and exits ({@code detach}), or holds it until it is killed ({@code hold}).
 */
final class OwnerProgram {
    private OwnerProgram() {}

    static Manifest manifest() {
        return Manifest.builder()
                .bottle(BottleDefinition.builder("own").build())
                .agent(AgentDefinition.builder("owner").bottle("own").build())
                .build();
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        String agentImage = args[1];
        String bundleImage = args[2];
        String mode = args[3];
        BottleSpec spec = BottleSpec.builder("owner")
                .manifest(manifest())
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, agentImage)
                .setting(BundleLaunchSpec.IMAGE_SETTING, bundleImage)
                .detach(mode.equals("detach"))
                .build();
        RunningBottle b = Bottles.using(new DockerBackend()).prepare(spec).launch();
        System.out.println("LAUNCHED " + b.identity());
        System.out.flush();
        if (mode.equals("exit") || mode.equals("detach")) {
            System.exit(0); // a normal exit that forgot close()
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
