package dev.bottles.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.Decision;
import dev.bottles.ManifestException;
import dev.bottles.Proposal;
import dev.bottles.bundle.internal.ProxyAuth;
import dev.bottles.bundle.internal.Timers;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.SuperviseConfig;
import dev.bottles.state.ProposalQueue;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
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
 * {@code Origin} header is refused (no browser has business here), every request must carry the
 * bottle's access credential as a bearer header, and every request after {@code initialize} the
 * session id it issued.
 *
 * <p>It cannot be starved from inside: it runs on an event loop, so a waiting call or a slow client
 * holds no thread; a request must arrive whole within {@link #REQUEST_DEADLINE}; at most
 * {@link #MAX_PENDING} distinct proposals wait at once (a further one is a tool error at once), at
 * most {@link #MAX_WAITING} calls wait for an answer (a further one answers "pending" at once), the
 * queue holds at most {@link #QUEUE_QUOTA} bytes of this bottle's proposals, and at most
 * {@link #MAX_SESSIONS} sessions are remembered.
 */
final class SuperviseServer implements AutoCloseable {
    /** The protocol version this server speaks. */
    public static final String PROTOCOL = "2025-06-18";
    /** How long a client may take to send a whole request. */
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);
    /** Distinct proposals that may wait for the operator at once. */
    public static final int MAX_PENDING = 8;
    /** Calls that may wait for an answer at once. */
    public static final int MAX_WAITING = 32;
    /** Bytes this bottle's proposals may take in the host's queue. */
    public static final long QUEUE_QUOTA = 2L * 1024 * 1024;
    /** Sessions remembered; the oldest is forgotten first. */
    public static final int MAX_SESSIONS = 64;

    private static final Set<String> VERSIONS = Set.of("2025-06-18", "2025-03-26");
    private static final int MAX_BODY = ProposalQueue.MAX_DOCKERFILE + 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SuperviseConfig config;
    private final ProposalQueue queue;
    private final Path queueDir;
    private final Path routesFile;
    private final @Nullable String access;
    private final BundleLog log;
    private final Clock clock;
    private final EventLoopGroup group;
    private final Channel server;
    private final ScheduledExecutorService io;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, Boolean> sessions = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_SESSIONS;
        }
    });

    private SuperviseServer(
            SuperviseConfig config,
            Path queueDir,
            Path routesFile,
            @Nullable String access,
            BundleLog log,
            EventLoopGroup group,
            InetSocketAddress listen) {
        this.config = config;
        this.queue = new ProposalQueue(queueDir);
        this.queueDir = queueDir;
        this.routesFile = routesFile;
        this.access = access;
        this.log = log;
        this.clock = Clock.systemUTC();
        this.group = group;
        this.io = Executors.newScheduledThreadPool(2, new DefaultThreadFactory("supervise-io", true));
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("idle", new Timers.Idle(Duration.ofMinutes(2)));
                        ch.pipeline().addLast("deadline", new Timers.RequestDeadline(REQUEST_DEADLINE));
                        ch.pipeline().addLast("http", new HttpServerCodec(4096, 16 * 1024, 8192));
                        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_BODY));
                        ch.pipeline().addLast("mcp", new Handler());
                    }
                })
                .bind(listen)
                .syncUninterruptibly()
                .channel();
    }

    /**
     * Starts serving.
     *
     * @param config the daemon's configuration ({@code supervise.json})
     * @param listen where to listen
     * @param queueDir the proposal queue (the host's {@code queue/<identity>/}, mounted)
     * @param routesFile egress's live {@code routes.yaml}, for {@code list-egress-routes}
     * @param access the bottle's access credential every request must carry as a bearer header;
     *     null serves any client (tests)
     * @param log where calls are reported
     * @return the running server
     * @throws BottleException when the address cannot be bound
     */
    public static SuperviseServer start(
            SuperviseConfig config,
            InetSocketAddress listen,
            Path queueDir,
            Path routesFile,
            @Nullable String access,
            BundleLog log) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("supervise", true), NioIoHandler.newFactory());
        try {
            SuperviseServer s = new SuperviseServer(config, queueDir, routesFile, access, log, group, listen);
            log.event(
                    "supervise",
                    "ready",
                    Map.of(
                            "listen",
                            String.valueOf(s.server.localAddress()),
                            "path",
                            config.path(),
                            "tools",
                            config.tools()));
            return s;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new BottleException("supervise cannot listen on " + listen + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Returns the port it listens on.
     *
     * @return the port
     */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** One response: a status, and JSON or text. */
    private record Reply(
            int status, @Nullable ObjectNode json, @Nullable String text, Map<String, String> headers) {
        Reply(int status, @Nullable ObjectNode json, @Nullable String text) {
            this(status, json, text, Map.of());
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Timers.RequestDeadline deadline = ctx.pipeline().get(Timers.RequestDeadline.class);
            if (deadline != null) {
                deadline.disarm();
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            Consumer<Reply> reply = r -> respond(ctx, r, keepAlive);
            if (!req.decoderResult().isSuccess()) {
                reply.accept(new Reply(400, null, "malformed request"));
                return;
            }
            if (HttpUtil.is100ContinueExpected(req)) {
                reply.accept(new Reply(417, null, "send the request without Expect"));
                return;
            }
            byte[] body = new byte[req.content().readableBytes()];
            req.content().readBytes(body);
            exchange(req, body, reply);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void respond(ChannelHandlerContext ctx, Reply r, boolean keepAlive) {
        byte[] b = json(r);
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(b));
        if (b.length > 0) {
            res.headers()
                    .set(
                            HttpHeaderNames.CONTENT_TYPE,
                            r.json() != null ? "application/json" : "text/plain; charset=utf-8");
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        r.headers().forEach((k, v) -> res.headers().set(k, v));
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        ctx.channel().eventLoop().execute(() -> {
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            } else {
                f.addListener(done -> {
                    Timers.RequestDeadline d = ctx.pipeline().get(Timers.RequestDeadline.class);
                    if (d != null && ctx.channel().isActive()) {
                        d.arm(ctx.pipeline().context(d));
                    }
                });
            }
        });
    }

    private static byte[] json(Reply r) {
        try {
            return r.json() != null
                    ? JSON.writeValueAsBytes(r.json())
                    : r.text() != null ? (r.text() + "\n").getBytes(StandardCharsets.UTF_8) : new byte[0];
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void exchange(FullHttpRequest req, byte[] body, Consumer<Reply> reply) {
        if (!req.uri().equals(config.path()) && !req.uri().startsWith(config.path() + "?")) {
            reply.accept(new Reply(404, null, "not found; the MCP endpoint is " + config.path()));
            return;
        }
        if (req.headers().contains(HttpHeaderNames.ORIGIN)) {
            reply.accept(new Reply(403, null, "supervise refuses requests with an Origin header"));
            return;
        }
        if (access != null && !ProxyAuth.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION), access)) {
            log.event(
                    "supervise",
                    "unauthenticated",
                    Map.of(
                            "method",
                            req.method().name(),
                            "reason",
                            req.headers().contains(HttpHeaderNames.AUTHORIZATION)
                                    ? "wrong credential"
                                    : "no credential"));
            reply.accept(new Reply(
                    401,
                    null,
                    "supervise serves only its bottle's agent (Authorization: Bearer" + " required)",
                    Map.of("WWW-Authenticate", "Bearer realm=\"bottle\"")));
            return;
        }
        String method = req.method().name();
        if (method.equals("DELETE")) {
            sessions.remove(String.valueOf(req.headers().get("Mcp-Session-Id")));
            reply.accept(new Reply(200, null, null));
            return;
        }
        if (!method.equals("POST")) {
            reply.accept(new Reply(405, null, null, Map.of("Allow", "POST, DELETE")));
            return;
        }
        JsonNode msg;
        try {
            msg = JSON.readTree(body);
        } catch (IOException e) {
            reply.accept(new Reply(400, error(null, -32700, "parse error: " + e.getMessage()), null));
            return;
        }
        if (msg == null || !msg.isObject() || !"2.0".equals(msg.path("jsonrpc").asText())) {
            reply.accept(new Reply(400, error(null, -32600, "one JSON-RPC 2.0 message per request"), null));
            return;
        }
        JsonNode id = msg.get("id");
        String rpc = msg.path("method").asText("");
        String session = req.headers().get("Mcp-Session-Id");
        if (rpc.equals("initialize")) {
            String sid = UUID.randomUUID().toString();
            sessions.put(sid, Boolean.TRUE);
            reply.accept(
                    new Reply(200, result(id, initialize(msg.path("params"))), null, Map.of("Mcp-Session-Id", sid)));
            return;
        }
        if (session == null) {
            reply.accept(new Reply(400, error(id, -32600, "missing Mcp-Session-Id; call initialize first"), null));
            return;
        }
        if (!sessions.containsKey(session)) {
            reply.accept(new Reply(404, error(id, -32600, "unknown or expired session; initialize again"), null));
            return;
        }
        if (id == null) {
            reply.accept(new Reply(202, null, null)); // a notification (notifications/initialized and others)
            return;
        }
        switch (rpc) {
            case "tools/list" -> reply.accept(new Reply(200, result(id, toolsList()), null));
            case "tools/call" ->
                io.execute(() -> call(id, msg.path("params"), r -> reply.accept(new Reply(200, r, null))));
            case "ping" -> reply.accept(new Reply(200, result(id, JSON.createObjectNode()), null));
            default -> reply.accept(new Reply(200, error(id, -32601, "method not found: " + rpc), null));
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
        r.put(
                "instructions",
                "Ask the operator for capabilities this bottle lacks. Calls may answer 'pending':"
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
                case "list-egress-routes" ->
                    tool.put(
                            "description",
                            "Lists the hosts this bottle may reach, their"
                                    + " allowed paths and the credential scheme and token name egress injects (never a value).");
                case "egress-allow" -> {
                    tool.put(
                            "description",
                            "Asks the operator to allow a host (optionally only some path prefixes)."
                                    + " Use it when a request was refused with 'blocked: host ...'.");
                    props.putObject("host").put("type", "string").put("description", "e.g. pypi.org");
                    props.putObject("path_allowlist")
                            .put("type", "array")
                            .putObject("items")
                            .put("type", "string");
                    props.putObject("justification").put("type", "string");
                    required.add("host").add("justification");
                }
                case "capability-block" -> {
                    tool.put(
                            "description",
                            "Proposes a new Dockerfile for this bottle's image when a tool is missing."
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

    private void call(JsonNode id, JsonNode params, Consumer<ObjectNode> done) {
        String name = params.path("name").asText("");
        JsonNode args = params.path("arguments");
        if (!config.tools().contains(name)) {
            done.accept(error(id, -32602, "unknown tool: " + name));
            return;
        }
        try {
            switch (name) {
                case "list-egress-routes" -> done.accept(result(id, text(routes(), false)));
                case "egress-allow" -> {
                    String host = required(args, "host");
                    List<String> paths = new ArrayList<>();
                    args.path("path_allowlist").forEach(p -> paths.add(p.asText()));
                    EgressRoute route = new EgressRoute(host, paths, null, null);
                    propose(
                            Proposal.Kind.EGRESS_ALLOW,
                            route,
                            null,
                            required(args, "justification"),
                            r -> done.accept(result(id, r)));
                }
                case "capability-block" -> {
                    String dockerfile = required(args, "dockerfile");
                    if (dockerfile.length() > ProposalQueue.MAX_DOCKERFILE) {
                        throw new IllegalArgumentException(
                                "the Dockerfile is larger than " + ProposalQueue.MAX_DOCKERFILE / 1024 + " KiB");
                    }
                    propose(
                            Proposal.Kind.CAPABILITY_BLOCK,
                            null,
                            dockerfile,
                            required(args, "justification"),
                            r -> done.accept(result(id, r)));
                }
                default -> done.accept(error(id, -32602, "unknown tool: " + name));
            }
        } catch (IllegalArgumentException | ManifestException e) {
            done.accept(result(id, text("refused: " + e.getMessage(), true)));
        } catch (RuntimeException e) {
            done.accept(result(id, text("failed: " + e.getMessage(), true)));
        }
    }

    private void propose(
            Proposal.Kind kind,
            @Nullable EgressRoute route,
            @Nullable String dockerfile,
            String justification,
            Consumer<ObjectNode> done) {
        String pid = ProposalQueue.idOf(kind, route, dockerfile);
        Optional<Decision> answer = queue.answer(pid);
        if (answer.isPresent()) {
            done.accept(decided(kind, route, pid, answer.get()));
            return;
        }
        if (!Files.exists(queueDir.resolve(pid + ".proposal.json"))) {
            int pending = queue.pending().size();
            if (pending >= MAX_PENDING) {
                done.accept(text(
                        "refused: too many pending proposals (" + pending + " wait for the operator; at most "
                                + MAX_PENDING + "); wait for their answers before proposing more",
                        true));
                return;
            }
            long used = queueBytes();
            long size = (dockerfile == null ? 0 : dockerfile.length()) + justification.length() + 4096L;
            if (used + size > QUEUE_QUOTA) {
                done.accept(text(
                        "refused: this bottle's proposals fill its queue (" + used / 1024 + " KiB of "
                                + QUEUE_QUOTA / 1024 + " KiB); wait for the operator",
                        true));
                return;
            }
            if (queue.propose(
                    new Proposal(pid, config.identity(), kind, route, dockerfile, justification, clock.instant()))) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", pid);
                f.put("tool", kind.tool());
                f.put("host", route == null ? null : route.host());
                log.event("supervise", "proposal", f);
            }
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            done.accept(pending(kind, pid));
            return;
        }
        long deadline = System.nanoTime() + config.callWait().toNanos();
        poll(kind, route, pid, deadline, done);
    }

    /** Checks for the answer every 100 ms on the io pool; no thread waits in between. */
    private void poll(
            Proposal.Kind kind, @Nullable EgressRoute route, String pid, long deadline, Consumer<ObjectNode> done) {
        Optional<Decision> answer;
        try {
            answer = queue.answer(pid);
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            done.accept(text("failed: " + e.getMessage(), true));
            return;
        }
        if (answer.isPresent()) {
            waiting.decrementAndGet();
            done.accept(decided(kind, route, pid, answer.get()));
        } else if (System.nanoTime() >= deadline || io.isShutdown()) {
            waiting.decrementAndGet();
            done.accept(pending(kind, pid));
        } else {
            io.schedule(() -> poll(kind, route, pid, deadline, done), 100, TimeUnit.MILLISECONDS);
        }
    }

    private long queueBytes() {
        try (Stream<Path> files = Files.list(queueDir)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        } catch (IOException e) {
            return 0;
        }
    }

    private static ObjectNode pending(Proposal.Kind kind, String pid) {
        return text(
                "pending: proposal " + pid + " waits for the operator. Call " + kind.tool() + " again with the"
                        + " same arguments later to get the decision.",
                false);
    }

    private ObjectNode decided(Proposal.Kind kind, @Nullable EgressRoute route, String pid, Decision d) {
        log.event(
                "supervise",
                "answered",
                Map.of("id", pid, "verdict", d.verdict().name().toLowerCase(Locale.ROOT)));
        if (!d.approved()) {
            return text("rejected: " + d.reason(), false);
        }
        if (kind == Proposal.Kind.EGRESS_ALLOW) {
            EgressRoute r = d.route() != null ? d.route() : Objects.requireNonNull(route);
            return text(
                    "approved" + (d.route() != null ? " with changes" : "") + ": " + r.host()
                            + (r.pathAllowlist().isEmpty() ? "" : " paths " + r.pathAllowlist())
                            + " is live in egress now;"
                            + " retry the request. " + d.reason(),
                    false);
        }
        return text(
                "approved" + (d.dockerfile() != null ? " with changes" : "") + ": this bottle is torn down and"
                        + " rebuilt from the new Dockerfile when the operator resumes it; this session ends.",
                false);
    }

    private String routes() {
        EgressConfig c = EgressConfig.read(routesFile);
        StringBuilder sb = new StringBuilder();
        for (EgressRoute r : c.routes()) {
            sb.append(r.host());
            sb.append(r.pathAllowlist().isEmpty() ? " (all paths)" : " paths " + r.pathAllowlist());
            if (r.auth() != null) {
                sb.append(" credential ")
                        .append(r.auth().scheme().wire())
                        .append(" from $")
                        .append(r.auth().tokenRef());
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

    /** Stops serving; calls waiting for the operator end. */
    @Override
    public void close() {
        io.shutdownNow();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
