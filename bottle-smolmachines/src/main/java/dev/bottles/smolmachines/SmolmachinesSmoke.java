package dev.bottles.smolmachines;

import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks a real smolvm installation end to end: launches a bottle (smolvm VM plus a bundle in
 * Docker), runs {@code echo hello-from-vm}, probes that the guest's own {@code 127.0.0.1:9}
 * refuses, then tears it down. Run it with the agent image in {@code CLAUDE_BOTTLE_IMAGE} and the
 * bundle image in {@code CLAUDE_BOTTLE_SIDECAR_IMAGE}; exits 0 when every check passes.
 */
public final class SmolmachinesSmoke {
    private SmolmachinesSmoke() {}

    /**
     * Runs the smoke check.
     *
     * @param args unused
     * @throws Exception when the launch fails
     */
    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("bottle-smoke-");
        Manifest m = Manifest.builder()
                .bottle(BottleDefinition.builder("smoke").build())
                .agent(AgentDefinition.builder("smoke").bottle("smoke").build())
                .build();
        BottleSpec spec = BottleSpec.builder("smoke")
                .manifest(m)
                .home(home)
                .backend(SmolmachinesBackend.ID)
                .listener(e -> System.out.printf(
                        "  %-8s %-22s %6d ms%n",
                        e.phase(), e.step(), e.duration().toMillis()))
                .build();
        int failures = 0;
        try (RunningBottle b = Bottles.prepare(spec).launch()) {
            System.out.println(b.plan().toJson());
            ExecResult hello = b.exec("echo", "hello-from-vm");
            failures +=
                    check("exec echo", hello.exitCode() == 0 && hello.stdout().equals("hello-from-vm\n"), hello);
            ExecResult loop = b.exec(List.of("sh", "-c", "nc -w 2 127.0.0.1 9 </dev/null"));
            failures += check("guest 127.0.0.1:9 refuses", loop.exitCode() != 0, loop);
        }
        System.out.println(failures == 0 ? "smoke: OK" : "smoke: " + failures + " check(s) failed");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int check(String what, boolean ok, ExecResult r) {
        System.out.println((ok ? "ok   " : "FAIL ") + what + (ok ? "" : ": " + r + " " + r.stdout() + r.stderr()));
        return ok ? 0 : 1;
    }
}
