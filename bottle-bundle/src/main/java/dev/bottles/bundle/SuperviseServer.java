package dev.bottles.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bottles.BottleException;
import dev.bottles.Decision;
import dev.bottles.ManifestException;
import dev.bottles.Proposal;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.SuperviseConfig;
import dev.bottles.state.ProposalQueue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The supervise daemon: an MCP server over Streamable HTTP (spec 2025-06-18) at one path, with
 * exactly {@code initialize}, {@code notifications/initialized}, {@code tools/list} and
 * {@code tools/call}, answered as {@code application/json}. Its tools:
 * <ul>
 *   <li>{@code list-egress-routes}: the live routes (hosts, paths, scheme, token <em>names</em>);
 *   <li>{@code egress-allow}: propose a route; {@code capability-block}: propose a Dockerfile.
 * </ul>
 * A proposal is written to the queue (content-hashed, so asking again is the same proposal) and
 * the call waits for the operator's answer up to the configured bound; then it answers "pending"
 * and the agent asks again later, because MCP clients time out long calls. A request carrying an
 * {@code Origin} header is refused (no browser has business here), and every request after
 * {@code initialize} must carry the session id it issued.
 */
public final class SuperviseServer implements AutoCloseable {
    /** The protocol version this server speaks. */
    public static final String PROTOCOL = "2025-06-18";
    private static final Set<String> VERSIONS = Set.of("2025-06-18", "2025-03-26");
    private static final int MAX_BODY = ProposalQueue.MAX_DOCKERFILE + 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SuperviseConfig config;
    private final ProposalQueue queue;
    private final Path routesFile;
    private final BundleLog log;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService pool;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();

    private SuperviseServer(SuperviseConfig config, Path queueDir, Path routesFile, BundleLog log, Clock clock,
            HttpServer server, ExecutorService pool) {
        this.config = config;
        this.queue = new ProposalQueue(queueDir);
        this.routesFile = routesFile;
        this.log = log;
        this.clock = clock;
        this.server = server;
        this.pool = pool;
    }

    /**
     * Starts serving.
     *
     * @param config the daemon's configuration ({@code supervise.json})
     * @param listen where to listen
     * @param queueDir the proposal queue (the host's {@code queue/<identity>/}, mounted)
     * @param routesFile egress's live {@code routes.yaml}, for {@code list-egress-routes}
     * @param log where calls are reported
     * @return the running server
     * @throws BottleException when the address cannot be bound
     */
    public static SuperviseServer start(SuperviseConfig config, InetSocketAddress listen, Path queueDir,
            Path routesFile, BundleLog log) {
        try {
            HttpServer http = HttpServer.create(listen, 64);
            ExecutorService pool = Executors.newFixedThreadPool(16, r -> {
                Thread t = new Thread(r, "supervise");
                t.setDaemon(true);
                return t;
            });
            SuperviseServer s = new SuperviseServer(config, queueDir, routesFile, log, Clock.systemUTC(), http, pool);
            http.createContext(config.path(), s::exchange);
            http.setExecutor(pool);
            http.start();
            log.event("supervise", "ready", Map.of("listen", String.valueOf(http.getAddress()), "path", config.path(),
                    "tools", config.tools()));
            return s;
        } catch (IOException e) {
            throw new BottleException("supervise cannot listen on " + listen + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Returns the port it listens on.
     *
     * @return the port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    private void exchange(HttpExchange x) throws IOException {
        try (x) {
            if (x.getRequestHeaders().containsKey("Origin")) {
                send(x, 403, null, "supervise refuses requests with an Origin header");
                return;
            }
            String method = x.getRequestMethod();
            if (method.equals("DELETE")) {
                sessions.remove(String.valueOf(x.getRequestHeaders().getFirst("Mcp-Session-Id")));
                send(x, 200, null, null);
                return;
            }
            if (!method.equals("POST")) {
                x.getResponseHeaders().set("Allow", "POST, DELETE");
                send(x, 405, null, null);
                return;
            }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                send(x, 413, null, "request larger than " + MAX_BODY + " bytes");
                return;
            }
            JsonNode msg;
            try {
                msg = JSON.readTree(body);
            } catch (IOException e) {
                send(x, 400, error(null, -32700, "parse error: " + e.getMessage()), null);
                return;
            }
            if (msg == null || !msg.isObject() || !"2.0".equals(msg.path("jsonrpc").asText())) {
                send(x, 400, error(null, -32600, "one JSON-RPC 2.0 message per request"), null);
                return;
            }
            JsonNode id = msg.get("id");
            String rpc = msg.path("method").asText("");
            String session = x.getRequestHeaders().getFirst("Mcp-Session-Id");
            if (rpc.equals("initialize")) {
                String sid = UUID.randomUUID().toString();
                sessions.add(sid);
                x.getResponseHeaders().set("Mcp-Session-Id", sid);
                send(x, 200, result(id, initialize(msg.path("params"))), null);
                return;
            }
            if (session == null) {
                send(x, 400, error(id, -32600, "missing Mcp-Session-Id; call initialize first"), null);
                return;
            }
            if (!sessions.contains(session)) {
                send(x, 404, error(id, -32600, "unknown or expired session; initialize again"), null);
                return;
            }
            if (id == null) {
                send(x, 202, null, null); // a notification (notifications/initialized and others)
                return;
            }
            switch (rpc) {
                case "tools/list" -> send(x, 200, result(id, toolsList()), null);
                case "tools/call" -> send(x, 200, call(id, msg.path("params")), null);
                case "ping" -> send(x, 200, result(id, JSON.createObjectNode()), null);
                default -> send(x, 200, error(id, -32601, "method not found: " + rpc), null);
            }
        }
    }

    private ObjectNode initialize(JsonNode params) {
        String asked = params.path("protocolVersion").asText(PROTOCOL);
        ObjectNode r = JSON.createObjectNode();
        r.put("protocolVersion", VERSIONS.contains(asked) ? asked : PROTOCOL);
        r.putObject("capabilities").putObject("tools").put("listChanged", false);
        ObjectNode info = r.putObject("serverInfo");
        info.put("name", "bottles-supervise");
        info.put("version", "1");
        r.put("instructions", "Ask the operator for capabilities this bottle lacks. Calls may answer 'pending':"
                + " call the same tool again with the same arguments later to get the decision.");
        return r;
    }

    private ObjectNode toolsList() {
        ObjectNode r = JSON.createObjectNode();
        ArrayNode tools = r.putArray("tools");
        for (String t : config.tools()) {
            ObjectNode tool = tools.addObject();
            tool.put("name", t);
            ObjectNode schema = JSON.createObjectNode().put("type", "object");
            ObjectNode props = schema.putObject("properties");
            ArrayNode required = schema.putArray("required");
            switch (t) {
                case "list-egress-routes" -> tool.put("description", "Lists the hosts this bottle may reach, their"
                        + " allowed paths and the credential scheme and token name egress injects (never a value).");
                case "egress-allow" -> {
                    tool.put("description", "Asks the operator to allow a host (optionally only some path prefixes)."
                            + " Use it when a request was refused with 'blocked: host ...'.");
                    props.putObject("host").put("type", "string").put("description", "e.g. pypi.org");
                    props.putObject("path_allowlist").put("type", "array").putObject("items").put("type", "string");
                    props.putObject("justification").put("type", "string");
                    required.add("host").add("justification");
                }
                case "capability-block" -> {
                    tool.put("description", "Proposes a new Dockerfile for this bottle's image when a tool is missing."
                            + " If approved, the bottle is rebuilt and this session ends.");
                    props.putObject("dockerfile").put("type", "string");
                    props.putObject("justification").put("type", "string");
                    required.add("dockerfile").add("justification");
                }
                default -> tool.put("description", t);
            }
            tool.set("inputSchema", schema);
        }
        return r;
    }

    private ObjectNode call(JsonNode id, JsonNode params) {
        String name = params.path("name").asText("");
        JsonNode args = params.path("arguments");
        if (!config.tools().contains(name)) {
            return error(id, -32602, "unknown tool: " + name);
        }
        try {
            return switch (name) {
                case "list-egress-routes" -> result(id, text(routes(), false));
                case "egress-allow" -> {
                    String host = required(args, "host");
                    List<String> paths = new ArrayList<>();
                    args.path("path_allowlist").forEach(p -> paths.add(p.asText()));
                    EgressRoute route = new EgressRoute(host, paths, null, null);
                    yield result(id, propose(Proposal.Kind.EGRESS_ALLOW, route, null, required(args, "justification")));
                }
                case "capability-block" -> {
                    String dockerfile = required(args, "dockerfile");
                    if (dockerfile.length() > ProposalQueue.MAX_DOCKERFILE) {
                        throw new IllegalArgumentException("the Dockerfile is larger than "
                                + ProposalQueue.MAX_DOCKERFILE / 1024 + " KiB");
                    }
                    yield result(id, propose(Proposal.Kind.CAPABILITY_BLOCK, null, dockerfile,
                            required(args, "justification")));
                }
                default -> error(id, -32602, "unknown tool: " + name);
            };
        } catch (IllegalArgumentException | ManifestException e) {
            return result(id, text("refused: " + e.getMessage(), true));
        }
    }

    private ObjectNode propose(Proposal.Kind kind, @Nullable EgressRoute route, @Nullable String dockerfile,
            String justification) {
        String pid = ProposalQueue.idOf(kind, route, dockerfile);
        Optional<Decision> answer = queue.answer(pid);
        if (answer.isEmpty()) {
            if (queue.propose(new Proposal(pid, config.identity(), kind, route, dockerfile, justification,
                    clock.instant()))) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", pid);
                f.put("tool", kind.tool());
                f.put("host", route == null ? null : route.host());
                log.event("supervise", "proposal", f);
            }
            long deadline = System.nanoTime() + config.callWait().toNanos();
            while (answer.isEmpty() && System.nanoTime() < deadline) {
                sleep(100);
                answer = queue.answer(pid);
            }
        }
        if (answer.isEmpty()) {
            return text("pending: proposal " + pid + " waits for the operator. Call " + kind.tool() + " again with the"
                    + " same arguments later to get the decision.", false);
        }
        Decision d = answer.get();
        log.event("supervise", "answered", Map.of("id", pid, "verdict", d.verdict().name().toLowerCase(
                java.util.Locale.ROOT)));
        if (!d.approved()) {
            return text("rejected: " + d.reason(), false);
        }
        if (kind == Proposal.Kind.EGRESS_ALLOW) {
            EgressRoute r = d.route() != null ? d.route() : route;
            return text("approved" + (d.route() != null ? " with changes" : "") + ": " + r.host()
                    + (r.pathAllowlist().isEmpty() ? "" : " paths " + r.pathAllowlist()) + " is live in egress now;"
                    + " retry the request. " + d.reason(), false);
        }
        return text("approved" + (d.dockerfile() != null ? " with changes" : "") + ": this bottle is torn down and"
                + " rebuilt from the new Dockerfile when the operator resumes it; this session ends.", false);
    }

    private String routes() {
        EgressConfig c = EgressConfig.read(routesFile);
        StringBuilder sb = new StringBuilder();
        for (EgressRoute r : c.routes()) {
            sb.append(r.host());
            sb.append(r.pathAllowlist().isEmpty() ? " (all paths)" : " paths " + r.pathAllowlist());
            if (r.auth() != null) {
                sb.append(" credential ").append(r.auth().scheme().wire()).append(" from $").append(r.auth().tokenRef());
            }
            sb.append('\n');
        }
        c.defaultHosts().forEach(h -> sb.append(h).append(" (all paths, Claude Code default)\n"));
        return sb.toString();
    }

    private static String required(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("argument '" + field + "' is required");
        }
        return v.asText();
    }

    private static ObjectNode text(String text, boolean isError) {
        ObjectNode r = JSON.createObjectNode();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        r.put("isError", isError);
        return r;
    }

    private static ObjectNode result(@Nullable JsonNode id, ObjectNode result) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id);
        o.set("result", result);
        return o;
    }

    private static ObjectNode error(@Nullable JsonNode id, int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id);
        o.putObject("error").put("code", code).put("message", message);
        return o;
    }

    private static void send(HttpExchange x, int status, @Nullable ObjectNode json, @Nullable String text)
            throws IOException {
        byte[] b = json != null ? JSON.writeValueAsBytes(json) : text != null ? (text + "\n").getBytes(
                StandardCharsets.UTF_8) : new byte[0];
        x.getResponseHeaders().set("Content-Type", json != null ? "application/json" : "text/plain; charset=utf-8");
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream os = x.getResponseBody()) {
                os.write(b);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops serving; calls waiting for the operator end. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
