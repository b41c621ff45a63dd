package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.GitRemote;
import dev.bottles.manifest.GitUpstream;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.manifest.RouteRole;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Settings;
import dev.bottles.spi.Subnet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever the bottle, with random secret values in the host environment for every
 * {@code token_ref} and {@code ${VAR}} and for every prompted secret, no rendered file, no agent
 * variable and no bundle spec contains any of them.
 */
class NoSecretLeaksTest {
    private static final int CASES = 60;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    @TempDir
    Path tmp;

    private static String secret(Random r) {
        StringBuilder sb = new StringBuilder("sek");
        for (int i = 0; i < 29; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    @Test
    void noSecretValueReachesAFileTheAgentEnvironmentOrTheBundleSpec() throws IOException {
        Random r = new Random(20261123);
        Path key =
                Files.writeString(tmp.resolve("gate-key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a host secret\n");
        for (int c = 0; c < CASES; c++) {
            Map<String, String> hostEnv = new HashMap<>();
            Map<String, String> literals = new LinkedHashMap<>();
            Map<String, String> forwarded = new LinkedHashMap<>();
            BottleDefinition.Builder b = BottleDefinition.builder("b" + c).supervise(r.nextBoolean());
            int routes = r.nextInt(5);
            for (int i = 0; i < routes; i++) {
                EgressRoute route = EgressRoute.to("h" + i + ".example.com");
                if (r.nextBoolean()) {
                    String ref = "TOKEN_" + i;
                    hostEnv.put(ref, secret(r));
                    route = route.withAuth(r.nextBoolean() ? RouteAuth.bearer(ref) : RouteAuth.token(ref));
                    if (i == 0 && r.nextBoolean()) {
                        route = route.withRole(RouteRole.CLAUDE_CODE_OAUTH);
                    }
                }
                b.route(r.nextBoolean() ? route.withPaths("/p" + i + "/") : route);
            }
            int vars = r.nextInt(4);
            for (int i = 0; i < vars; i++) {
                switch (r.nextInt(3)) {
                    case 0 -> {
                        b.literal("LIT_" + i, "plain-" + i);
                        literals.put("LIT_" + i, "plain-" + i);
                    }
                    case 1 -> {
                        String v = secret(r);
                        hostEnv.put("HOST_" + i, v);
                        b.fromHost("FWD_" + i, "HOST_" + i);
                        forwarded.put("FWD_" + i, v);
                    }
                    default -> {
                        b.secret("ASK_" + i, "");
                        forwarded.put("ASK_" + i, secret(r));
                    }
                }
            }
            if (r.nextBoolean()) {
                b.git(new GitRemote("repo", GitUpstream.parse("ssh://git@git.example/r.git"), key, null));
            }
            BottleDefinition bottle = b.build();
            ResolvedEnv env = new ResolvedEnv(literals, forwarded);
            Path home = tmp.resolve("home-" + c);
            SidecarPlans plans =
                    SidecarPlans.prepare(Fixtures.request(home, bottle, hostEnv, env), "FROM x\n", Fixtures.CLOCK);

            List<String> secrets = new ArrayList<>(hostEnv.values());
            secrets.addAll(forwarded.values());
            List<String> outputs = new ArrayList<>();
            try (Stream<Path> files = Files.walk(home)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    outputs.add(f + ":" + Files.readString(f, StandardCharsets.ISO_8859_1));
                }
            }
            SidecarBundle bundle = plans.bundle();
            for (Endpoints e : List.of(
                    Endpoints.inBundle("192.168.1.2", bundle),
                    Endpoints.published(
                            "100.96.0.1", Map.of(Daemon.EGRESS, 1, Daemon.GIT_GATE, 2, Daemon.SUPERVISE, 3), bundle))) {
                outputs.add(AgentEnvironment.envFile(AgentEnvironment.compose(plans, e, env)));
            }
            BundleLaunchSpec spec = BundleLaunchSpec.of(
                    plans, "docker", "n", new Subnet(192, 168, 1), r.nextBoolean(), new Settings(Map.of(), hostEnv));
            outputs.add(spec.toString());
            outputs.add(plans.toString());
            outputs.add(env.toString());
            for (String out : outputs) {
                for (String s : secrets) {
                    int at = c;
                    assertFalse(
                            out.contains(s),
                            () -> "case " + at + ": secret leaked into "
                                    + out.substring(0, Math.min(200, out.length())));
                }
            }
        }
    }
}
