package dev.bottles.docker;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.WarmPool;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import dev.bottles.sidecars.BundleLaunchSpec;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.state.BottleHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A user's program for the ownership tests, run in a JVM of its own. It launches a bottle on the
 * real engine and prints {@code PREPARED <identity>} and {@code LAUNCHED <identity>} as it gets
 * there. Then, by mode: exits without closing it ({@code exit}); launches it detached and exits
 * ({@code detach}); holds it until it is killed ({@code hold}); or holds it while it launches,
 * checks and closes other bottles one after another until its stdin closes, then checks the held
 * one and prints {@code DONE cycles=<n> failures=<n> cleanups=<n>} ({@code live}, and
 * {@code live-cleanup}, which also runs the full {@code Bottles.cleanup} of its home in a loop the
 * whole time); or ({@code pool}) starts a warm pool of two on the SDK's bundle, prints
 * {@code MEMBERS <identities>}, launches its bottle from it and holds it. Every failure is printed as {@code FAIL <message>}.
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
        BottleSpec.Builder builder = BottleSpec.builder("owner")
                .manifest(manifest())
                .home(home)
                .userCwd(home)
                .hostEnvironment(Map.of())
                .setting(DockerSettings.IMAGE, agentImage)
                .detach(mode.equals("detach"));
        if (!mode.equals("pool")) {
            builder.setting(BundleLaunchSpec.IMAGE_SETTING, bundleImage);
        }
        BottleSpec spec = builder.build();
        if (mode.equals("pool")) {
            // the SDK's bundle (a warm one waits for its claim): two members, one claimed, then held
            WarmPool pool = Bottles.using(new DockerBackend()).warmPool(spec, 2);
            if (!pool.awaitReady(2, Duration.ofMinutes(4))) {
                say("FAIL the pool did not fill: " + pool.lastFailure().orElse("?"));
                System.exit(1);
            }
            try (var states = Files.list(home.resolve("state"))) {
                say("MEMBERS "
                        + String.join(
                                ",",
                                states.map(d -> d.getFileName().toString())
                                        .sorted()
                                        .toList()));
            }
        }
        RunningBottle b = launch(spec);
        if (mode.equals("exit") || mode.equals("detach")) {
            System.exit(0); // a normal exit that forgot close()
        }
        if (mode.startsWith("live")) {
            live(b, spec, mode.equals("live-cleanup") ? new BottleHome(home) : null);
            return;
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static RunningBottle launch(BottleSpec spec) {
        PreparedBottle p = Bottles.using(new DockerBackend()).prepare(spec);
        say("PREPARED " + p.identity());
        RunningBottle b = p.launch();
        say("LAUNCHED " + b.identity());
        return b;
    }

    private static void live(RunningBottle held, BottleSpec spec, BottleHome cleaning) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger cleanups = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        Thread cleaner = new Thread(() -> {
            while (running.get() && cleaning != null) {
                try {
                    Bottles.cleanup(CleanupRequest.remove(), cleaning);
                    cleanups.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    say("FAIL cleanup: " + e);
                }
            }
        });
        cleaner.start();
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the harness closes stdin to end the program
                }
            } catch (IOException e) {
                // ended all the same
            }
            running.set(false);
        });
        stdin.setDaemon(true);
        stdin.start();
        int cycles = 0;
        while (running.get()) {
            try (RunningBottle b = launch(spec)) {
                if (b.exec("true").exitCode() != 0) {
                    throw new IllegalStateException("exec in " + b.identity() + " failed");
                }
                cycles++;
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                say("FAIL cycle: " + e);
            }
        }
        cleaner.join();
        try (held) {
            if (held.exec("true").exitCode() != 0) {
                failures.incrementAndGet();
                say("FAIL the held bottle " + held.identity() + " no longer runs");
            }
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            say("FAIL the held bottle: " + e);
        }
        say("DONE cycles=" + cycles + " failures=" + failures.get() + " cleanups=" + cleanups.get());
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
