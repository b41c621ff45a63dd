package dev.bottles.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.state.ProposalQueue;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * supervise against the official MCP Java SDK's own client (Streamable HTTP), a client we did not
 * write: the handshake and version negotiation, the tool list with its schemas, a tool call, a
 * proposal the operator decides, and refusal without the bottle's credential. Claude Code's client
 * is checked in the docker backend's ClaudeCodeIT.
 */
class SuperviseSdkClientTest {
    private static final String ACCESS = SuperviseFixture.ACCESS;

    @TempDir
    Path dir;

    SuperviseServer server;
    ProposalQueue queue;

    @BeforeEach
    void start() throws Exception {
        SuperviseFixture f = SuperviseFixture.start(dir, Duration.ofSeconds(5), (d, e, x) -> {});
        server = f.server();
        queue = f.queue();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private McpSyncClient client(String credential) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        "http://127.0.0.1:" + server.port())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + credential))
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .initializationTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static McpSchema.CallToolRequest call(String tool, Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(tool).arguments(arguments).build();
    }

    @Test
    void theSdkClientInitializesListsAndCallsTools() {
        try (McpSyncClient mcp = client(ACCESS)) {
            McpSchema.InitializeResult init = mcp.initialize();
            assertTrue(
                    List.of("2025-06-18", "2025-03-26").contains(init.protocolVersion()),
                    "a version both sides speak: " + init.protocolVersion());
            assertEquals("bottles-supervise", init.serverInfo().name());

            List<McpSchema.Tool> tools = mcp.listTools().tools();
            assertEquals(
                    List.of("list-egress-routes", "egress-allow", "capability-block"),
                    tools.stream().map(McpSchema.Tool::name).toList());
            McpSchema.Tool allow = tools.get(1);
            assertEquals(List.of("host", "justification"), allow.inputSchema().get("required"));

            McpSchema.CallToolResult routes = mcp.callTool(call("list-egress-routes", Map.of()));
            assertFalse(Boolean.TRUE.equals(routes.isError()));
            String text = ((McpSchema.TextContent) routes.content().get(0)).text();
            assertTrue(text.contains("api.github.com paths [/repos/me/] credential token from $GH_TOKEN"), text);
            assertFalse(text.contains("GH_TOKEN="), "token names only, never values");
        }
    }

    @Test
    void aProposalFromTheSdkClientWaitsForTheOperator() throws Exception {
        CompletableFuture<Void> operator = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 250; i++) {
                List<Proposal> p = queue.pending();
                if (!p.isEmpty()) {
                    queue.answer(p.get(0).id(), Decision.reject("use the mirror"));
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (McpSyncClient mcp = client(ACCESS)) {
            mcp.initialize();
            McpSchema.CallToolResult r =
                    mcp.callTool(call("egress-allow", Map.of("host", "pypi.org", "justification", "pip install")));
            operator.get(10, TimeUnit.SECONDS);
            String text = ((McpSchema.TextContent) r.content().get(0)).text();
            assertTrue(text.startsWith("rejected"), text);
            assertTrue(text.contains("use the mirror"), text);
        }
    }

    @Test
    void anUnknownToolIsAnErrorTheSdkReports() {
        try (McpSyncClient mcp = client(ACCESS)) {
            mcp.initialize();
            assertThrows(
                    RuntimeException.class,
                    () -> mcp.callTool(call("rm-rf", Map.of())),
                    "an unknown tool is a JSON-RPC error, not a result");
        }
    }

    @Test
    void theSdkClientWithoutTheCredentialCannotConnect() {
        try (McpSyncClient mcp = client("not-the-credential-000000000000000000000")) {
            assertThrows(RuntimeException.class, mcp::initialize);
        }
    }
}
