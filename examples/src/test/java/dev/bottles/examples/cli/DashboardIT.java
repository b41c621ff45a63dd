package dev.bottles.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.docker.testimages.FakeApiFixture;
import dev.bottles.docker.testimages.TestImages;
import dev.bottles.docker.testimages.UpstreamContainer;
import dev.bottles.dockerengine.BundleImages;
import dev.bottles.spi.Settings;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's console in a real terminal: two bottles from two {@code bottle start} processes,
 * each agent asking supervise (its real MCP endpoint, through the bundle) for a route; the dashboard
 * shows both oldest first, approves one (the route goes live before the agent hears), rejects the
 * other with a reason the agent sees, and edits one through a scripted {@code $EDITOR}.
 */
class DashboardIT {
    /**
     * An agent that speaks MCP with stock curl: ask supervise until decided, print the answer, then
     * try the host (a script, so no quoting layer bites).
     */
    private static String agent(String host, String why) {
        return agent(new String[] {host, why, host});
    }

    /** Like {@link #agent(String, String)}, for several asks in turn: {host, justification, host to try} each. */
    private static String agent(String[]... asks) {
        String h = "-H \"Authorization: $auth\" -H 'Content-Type: application/json'"
                + " -H 'Accept: application/json, text/event-stream'";
        String script = "auth=$(sed -n 's/.*\"\\(Bearer [A-Za-z0-9_-]*\\)\".*/\\1/p' /home/node/.claude-bottle/mcp.json"
                + " | head -1)\nu=$MCP_SUPERVISE_URL\n"
                + "sid=$(curl -s -D - -o /dev/null " + h
                + " -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"sh\","
                + "\"version\":\"1\"}}}' $u | tr -d '\\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')\n"
                + "curl -s -o /dev/null " + h + " -H \"Mcp-Session-Id: $sid\" -d '{\"jsonrpc\":\"2.0\","
                + "\"method\":\"notifications/initialized\"}' $u\n"
                + asks(h, asks) + "sleep 20\n";
        String b64 = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        return "sh -c 'echo " + b64 + " | base64 -d > /tmp/agent.sh && sh /tmp/agent.sh'";
    }

    private static String asks(String h, String[]... asks) {
        StringBuilder sb = new StringBuilder();
        for (String[] a : asks) {
            sb.append("while :; do r=$(curl -s ")
                    .append(h)
                    .append(" -H \"Mcp-Session-Id: $sid\" -d '{\"jsonrpc\":\"2.0\",")
                    .append("\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"egress-allow\",\"arguments\":")
                    .append("{\"host\":\"")
                    .append(a[0])
                    .append("\",\"justification\":\"")
                    .append(a[1])
                    .append("\"}}}' $u); case \"$r\" in *pending*) sleep 1;; *) break;; esac; done\n")
                    .append("echo \"ANSWER $r\"\n")
                    .append("curl -s -o /dev/null -w 'status=%{http_connect}/%{http_code}\\n' https://")
                    .append(a[2])
                    .append("/v1/x\n");
        }
        return sb.toString();
    }

    @Test
    void twoBottlesProposalsAreDecidedFromTheDashboardInOrderAndAudited() throws Exception {
        TestImages.requireEngine();
        Path dir = Files.createTempDirectory("bottles-dash-");
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("bottles/sup.md"), "---\nsupervise: true\n---\n");
        Files.writeString(home.resolve("agents/one.md"), "---\nbottle: sup\n---\n");
        Files.writeString(home.resolve("agents/two.md"), "---\nbottle: sup\n---\n");
        Path editor = dir.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nprintf 'edited.example.test\\n/v1/\\n' > \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
        FakeApiFixture api = new FakeApiFixture(dir);
        TestImages.fakeAnthropic();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cli = javaBin + " -jar " + Path.of("target/bottle.jar").toAbsolutePath();
        String sets = " --set CLAUDE_BOTTLE_IMAGE=" + TestImages.probeAgent() + " --set CLAUDE_BOTTLE_EGRESS_EXTRA_CA="
                + api.settings().get("CLAUDE_BOTTLE_EGRESS_EXTRA_CA");
        TestImages.removeAtExitIfNew(BundleImages.describe(TestImages.engine(), new Settings(Map.of(), Map.of()))
                .reference());
        List<UpstreamContainer> upstreams = new ArrayList<>();
        try (Tmux tmux = new Tmux()) {
            tmux.run(
                    "new-session",
                    "-d",
                    "-s",
                    "s",
                    "-n",
                    "one",
                    "-x",
                    "160",
                    "-y",
                    "45",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    cli + " start one --yes" + sets + " -- "
                            + agent(
                                    new String[] {"late.example.test", "first ask", "late.example.test"},
                                    new String[] {"wanted.example.test", "third ask", "edited.example.test"})
                            + "; sleep 600");
            String one = String.join(" ", Tmux.awaitBottleNetwork("one", Duration.ofMinutes(5)));
            upstreams.add(api.start(one.split(" ")[1], one.split(" ")[0]));
            // the second bottle starts once the first one's agent has asked, so "oldest first" has one answer
            Path firstQueue = home.resolve("queue").resolve(one.split(" ")[1]);
            long asked = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!hasProposal(firstQueue)) {
                if (System.nanoTime() > asked) {
                    throw new AssertionError("the first agent never asked:\n" + tmux.screen("s:one"));
                }
                Thread.sleep(100);
            }
            tmux.run(
                    "new-window",
                    "-t",
                    "s",
                    "-n",
                    "two",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    cli + " start two --yes" + sets + " -- " + agent("late.example.test", "second ask")
                            + "; sleep 600");
            String two = String.join(" ", Tmux.awaitBottleNetwork("two", Duration.ofMinutes(5)));
            upstreams.add(api.start(two.split(" ")[1], two.split(" ")[0]));
            tmux.run(
                    "new-window",
                    "-t",
                    "s",
                    "-n",
                    "dash",
                    "-e",
                    "BOTTLE_HOME=" + home,
                    "-e",
                    "EDITOR=" + editor,
                    cli + " dashboard; sleep 600");
            String screen;
            try {
                screen = tmux.await(
                        "s:dash", s -> s.contains("first ask") && s.contains("second ask"), Duration.ofSeconds(90));
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage() + "\nwindow one:\n" + tmux.screen("s:one") + "\nwindow two:\n"
                                + tmux.screen("s:two"),
                        e);
            }
            assertTrue(screen.indexOf("first ask") < screen.indexOf("second ask"), "oldest first:\n" + screen);
            assertTrue(
                    Pattern.compile("docker +" + one.split(" ")[1] + " +one +\\S*supervise\\S* +running"
                                    + " +\\d+[smh] +" + System.getProperty("user.name"))
                            .matcher(screen)
                            .find(),
                    "the bottles pane shows backend, identity, agent, daemons, state, age and owner:\n" + screen);

            // --once --format json lists both, for scripts
            String json = Tmux.exec(
                    List.of("sh", "-c", "BOTTLE_HOME=" + home + " " + cli + " dashboard --once --format json"));
            JsonNode pending = new ObjectMapper().readTree(json.substring(json.indexOf('[')));
            assertEquals(2, pending.size(), json);

            tmux.run("send-keys", "-t", "s:dash", "a");
            String answered = tmux.await("s:one", s -> s.contains("status="), Duration.ofMinutes(1));
            assertTrue(answered.contains("ANSWER") && answered.contains("approved"), answered);
            assertTrue(answered.contains("status=200/404"), "the route was live when the agent heard: " + answered);

            tmux.await("s:dash", s -> !s.contains("first ask"), Duration.ofSeconds(30));
            tmux.run("send-keys", "-t", "s:dash", "r");
            tmux.await("s:dash", s -> s.contains("reason for rejecting"), Duration.ofSeconds(10));
            tmux.run("send-keys", "-t", "s:dash", "-l", "not today");
            tmux.run("send-keys", "-t", "s:dash", "Enter");
            String rejected = tmux.await("s:two", s -> s.contains("status="), Duration.ofMinutes(1));
            assertTrue(rejected.contains("not today"), "the agent sees the reason: " + rejected);
            assertTrue(rejected.contains("status=403/"), "and the route stays shut: " + rejected);

            // the agent's next ask is edited in $EDITOR (a script here) and approved as edited
            tmux.await("s:dash", s -> s.contains("third ask") && !s.contains("second ask"), Duration.ofMinutes(1));
            tmux.run("send-keys", "-t", "s:dash", "e");
            String edited;
            try {
                edited = tmux.await(
                        "s:one",
                        s -> s.lines().filter(l -> l.startsWith("status=")).count() == 2,
                        Duration.ofMinutes(1));
            } catch (AssertionError e) {
                throw new AssertionError("dashboard:\n" + tmux.screen("s:dash"), e);
            }
            assertTrue(
                    edited.lines()
                            .filter(l -> l.startsWith("status="))
                            .skip(1)
                            .findFirst()
                            .orElse("")
                            .startsWith("status=200/"),
                    "the edited route is live: " + edited);

            List<String> audit = Files.readAllLines(home.resolve("audit").resolve("approvals.jsonl"));
            assertEquals(3, audit.size(), String.join("\n", audit));
            assertTrue(
                    audit.get(0).contains("\"verdict\":\"approved\"")
                            && audit.get(1).contains("not today")
                            && audit.get(2).contains("\"host\":\"edited.example.test\""),
                    String.join("\n", audit));
        } finally {
            for (UpstreamContainer u : upstreams) {
                u.close();
            }
            Thread.sleep(25_000); // the agents' last sleep; their CLIs settle the bottles
            Tmux.exec(List.of("true"));
            SecureFiles.deleteRecursively(dir);
        }
    }

    private static boolean hasProposal(Path queue) throws IOException {
        if (!Files.isDirectory(queue)) {
            return false;
        }
        try (Stream<Path> files = Files.list(queue)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".proposal.json"));
        }
    }
}
