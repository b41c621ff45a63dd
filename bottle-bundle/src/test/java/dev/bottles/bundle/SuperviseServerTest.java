package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.state.ProposalQueue;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** supervise through a real HTTP client speaking MCP's Streamable HTTP, with the test as the operator. */
class SuperviseServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    SuperviseServer server;
    ProposalQueue queue;
    static final String ACCESS = SuperviseFixture.ACCESS;
    final List<String> events = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    String session;

    @BeforeEach
    void start() throws Exception {
        SuperviseFixture f =
                SuperviseFixture.start(dir, Duration.ofMillis(800), (d, e, x) -> events.add(d + ":" + e + " " + x));
        server = f.server();
        queue = f.queue();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + ACCESS)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode rpc(String method, String params) throws Exception {
        HttpResponse<String> r = post(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}",
                "Mcp-Session-Id",
                session,
                "MCP-Protocol-Version",
                SuperviseServer.PROTOCOL);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode n = JSON.readTree(r.body());
        assertEquals(7, n.get("id").asInt());
        return n;
    }

    private String callText(String tool, String args) throws Exception {
        JsonNode r = rpc("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + args + "}")
                .get("result");
        return r.get("content").get(0).get("text").asText();
    }

    private void initialize() throws Exception {
        HttpResponse<String> r = post(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertEquals(200, r.statusCode(), r.body());
        session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        JsonNode res = JSON.readTree(r.body()).get("result");
        assertEquals("2025-06-18", res.get("protocolVersion").asText());
        assertTrue(res.get("capabilities").has("tools"));
        HttpResponse<String> n =
                post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "Mcp-Session-Id", session);
        assertEquals(202, n.statusCode());
    }

    @Test
    void toolsAreListedWithSchemasAndTheRoutesToolShowsNamesNotValues() throws Exception {
        initialize();
        JsonNode tools = rpc("tools/list", "{}").get("result").get("tools");
        assertEquals(
                List.of("list-egress-routes", "egress-allow", "capability-block"),
                List.of(
                        tools.get(0).get("name").asText(),
                        tools.get(1).get("name").asText(),
                        tools.get(2).get("name").asText()));
        assertEquals(
                "[\"host\",\"justification\"]",
                tools.get(1).get("inputSchema").get("required").toString());
        String routes = callText("list-egress-routes", "{}");
        assertTrue(routes.contains("api.github.com paths [/repos/me/] credential token from $GH_TOKEN"), routes);
        assertTrue(routes.contains("statsig.anthropic.com"), routes);
    }

    @Test
    void aProposalWaitsForTheOperatorAndGetsTheDecision() throws Exception {
        initialize();
        Thread operator = new Thread(() -> {
            for (int i = 0; i < 100; i++) {
                List<Proposal> p = queue.pending();
                if (!p.isEmpty()) {
                    queue.answer(p.get(0).id(), Decision.approve());
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        operator.start();
        String text = callText(
                "egress-allow",
                "{\"host\":\"pypi.org\",\"path_allowlist\":[\"/simple/\"]," + "\"justification\":\"pip\"}");
        operator.join();
        assertEquals("approved: pypi.org paths [/simple/] is live in egress now; retry the request. approved", text);
        String id = ProposalQueue.idOf(
                Proposal.Kind.EGRESS_ALLOW, new EgressRoute("pypi.org", List.of("/simple/"), null, null), null);
        JsonNode file = JSON.readTree(Files.readString(dir.resolve("queue").resolve(id + ".proposal.json")));
        assertEquals("egress-allow", file.get("tool").asText());
        assertEquals("b-1", file.get("bottle").asText());
        assertEquals("pip", file.get("justification").asText());
    }

    @Test
    void aLongWaitAnswersPendingAndAskingAgainGetsTheDecision() throws Exception {
        initialize();
        String first = callText(
                "capability-block", "{\"dockerfile\":\"FROM x\\nRUN apk add jq\\n\"," + "\"justification\":\"jq\"}");
        assertTrue(first.startsWith("pending: proposal "), first);
        List<Proposal> pending = queue.pending();
        assertEquals(1, pending.size());
        assertEquals("FROM x\nRUN apk add jq\n", pending.get(0).dockerfile());
        queue.answer(pending.get(0).id(), Decision.reject("use the jq in the base image"));
        assertEquals(
                "rejected: use the jq in the base image",
                callText(
                        "capability-block",
                        "{\"dockerfile\":\"FROM x\\nRUN apk add jq\\n\",\"justification\":\"jq, again\"}"));
        assertEquals(
                1,
                Files.list(dir.resolve("queue"))
                        .filter(p -> p.toString().endsWith(".proposal.json"))
                        .count(),
                "asking again is the same proposal");
    }

    @Test
    void badCallsGetProtocolErrorsAndBadArgumentsAToolError() throws Exception {
        assertEquals(
                400,
                post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").statusCode(),
                "no session, no service");
        initialize();
        assertEquals(
                404,
                post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", "Mcp-Session-Id", "nope")
                        .statusCode());
        assertEquals(
                -32602,
                rpc("tools/call", "{\"name\":\"rm-rf\",\"arguments\":{}}")
                        .get("error")
                        .get("code")
                        .asInt());
        assertEquals(
                -32601, rpc("resources/list", "{}").get("error").get("code").asInt());
        JsonNode bad = rpc("tools/call", "{\"name\":\"egress-allow\",\"arguments\":{\"host\":\"pypi.org\"}}")
                .get("result");
        assertTrue(bad.get("isError").asBoolean());
        assertEquals(
                "refused: argument 'justification' is required",
                bad.get("content").get(0).get("text").asText());
        JsonNode host = rpc(
                        "tools/call",
                        "{\"name\":\"egress-allow\",\"arguments\":{\"host\":\"http://x/y\","
                                + "\"justification\":\"j\"}}")
                .get("result");
        assertTrue(host.get("isError").asBoolean(), host.toString());
        assertEquals(400, post("{not json").statusCode());
        assertEquals(
                403,
                post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}", "Origin", "http://evil.test")
                        .statusCode());
        HttpResponse<String> get = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/mcp"))
                        .header("Authorization", "Bearer " + ACCESS)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertFalse(Files.list(dir.resolve("queue")).findAny().isPresent(), "no proposal from a bad call");
        assertTrue(events.get(0).startsWith("supervise:ready"), events.toString());
    }

    @Test
    void onlyTheBottlesAgentIsServed() throws Exception {
        for (String auth : List.of("", "Bearer wrong", "Bearer " + ACCESS.substring(1), "Basic " + ACCESS)) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/mcp"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"));
            if (!auth.isEmpty()) {
                b.header("Authorization", auth);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), auth);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        }
        assertEquals(
                4,
                events.stream()
                        .filter(e -> e.startsWith("supervise:unauthenticated"))
                        .count());
    }

    @Test
    void theAgentCannotStarveItsSupervisor() throws Exception {
        initialize();
        // slow clients: 64 connections that never finish their request head
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                Socket sock = new Socket("127.0.0.1", server.port());
                sock.getOutputStream()
                        .write("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Len".getBytes(StandardCharsets.US_ASCII));
                slow.add(sock);
            }
            // waiting calls: distinct proposals up to the cap, each waiting for the operator
            ExecutorService callers = Executors.newFixedThreadPool(24);
            List<Future<String>> waits = new ArrayList<>();
            for (int i = 0; i < SuperviseServer.MAX_PENDING; i++) {
                String host = "h" + i + ".example";
                waits.add(callers.submit(
                        () -> callText("egress-allow", "{\"host\":\"" + host + "\",\"justification\":\"j\"}")));
            }
            long until = System.nanoTime() + 3_000_000_000L;
            while (queue.pending().size() < SuperviseServer.MAX_PENDING && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(SuperviseServer.MAX_PENDING, queue.pending().size());
            long t0 = System.nanoTime();
            String more = callText("egress-allow", "{\"host\":\"one-too-many.example\",\"justification\":\"j\"}");
            assertTrue(more.startsWith("refused: too many pending proposals"), more);
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "the refusal comes at once");
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                String saved = session;
                initialize();
                rpc("tools/list", "{}");
                long ms = (System.nanoTime() - t) / 1_000_000;
                assertTrue(ms < 1000, "initialize and tools/list answered in " + ms + " ms under attack");
                session = saved;
            }
            for (Future<String> w : waits) {
                assertTrue(w.get(10, TimeUnit.SECONDS).startsWith("pending: "));
            }
            callers.shutdownNow();
            // the slow clients are cut off by the request deadline
            Socket first = slow.get(0);
            first.setSoTimeout(10_000);
            String cut = new String(first.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(cut.startsWith("HTTP/1.1 408"), cut);
        } finally {
            for (Socket sock : slow) {
                sock.close();
            }
        }
    }

    @Test
    void theQueueHasAByteQuota() throws Exception {
        initialize();
        String big = "RUN true\\n".repeat(20_000);
        int refused = 0;
        for (int i = 0; i < 12 && refused == 0; i++) {
            // answered at once so they do not count as pending; each one still takes room in the queue
            String text = callText(
                    "capability-block", "{\"dockerfile\":\"FROM x" + i + "\\n" + big + "\",\"justification\":\"j\"}");
            if (text.startsWith("refused: this bottle's proposals fill its queue")) {
                refused++;
            } else {
                queue.pending().forEach(p -> queue.answer(p.id(), Decision.reject("no")));
            }
        }
        assertEquals(1, refused, "a proposal past the quota is refused");
        long bytes = Files.list(dir.resolve("queue"))
                .mapToLong(f -> f.toFile().length())
                .sum();
        assertTrue(bytes <= SuperviseServer.QUEUE_QUOTA, bytes + " bytes in the queue");
    }
}
