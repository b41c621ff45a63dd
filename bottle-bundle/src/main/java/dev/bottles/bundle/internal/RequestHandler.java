package dev.bottles.bundle.internal;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RequestTarget;
import dev.bottles.sidecars.EgressDecision;
import dev.bottles.sidecars.SecretScanner;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Decides and serves one client connection's HTTP requests, streaming. On the proxy port it takes
 * {@code CONNECT host:port} (checked, then handed to a {@link TunnelGate}) and absolute-form
 * {@code http://} requests, each with the bottle's {@code Proxy-Authorization}; inside a
 * TLS-terminated tunnel it takes the agent's requests to that one host. Every request's target is
 * decided in its canonical form ({@link RequestTarget}), its head and body are scanned for the
 * bottle's secrets ({@link SecretScanner}, holding back what could be the start of one), a
 * credential route gets the real {@code Authorization}, and exactly the decided target is forwarded.
 * Pipelined requests are answered in order: a request is not looked at before the response to the
 * one before it is done.
 */
public final class RequestHandler extends ChannelInboundHandlerAdapter implements Forwarder.Owner {
    /** Hop-by-hop headers never forwarded (RFC 9110 §7.6.1), plus proxy credentials. */
    private static final List<CharSequence> HOP = List.of(
            HttpHeaderNames.CONNECTION,
            "keep-alive",
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE,
            "proxy-connection");

    /** How much of a refused request's body is read (and dropped) before the connection closes anyway. */
    private static final long MAX_DISCARD = 16L * 1024 * 1024;

    private final ProxyContext context;
    private final @Nullable String tunnelHost;
    private final int tunnelPort;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Forwarder forwarder;
    private @Nullable Exchange current;

    /** One request and its response. */
    private static final class Exchange {
        final boolean connect;
        boolean discard;
        boolean closeWhenDone;
        long discarded;
        boolean requestDone;
        boolean responseDone;
        final SecretScanner.@Nullable Stream scan;
        final String method;
        final String host;
        final int port;
        final @Nullable String path;
        final @Nullable String route;

        Exchange(
                boolean connect,
                SecretScanner.@Nullable Stream scan,
                String method,
                String host,
                int port,
                @Nullable String path,
                @Nullable String route) {
            this.connect = connect;
            this.scan = scan;
            this.discard = scan == null && !connect;
            this.method = method;
            this.host = host;
            this.port = port;
            this.path = path;
            this.route = route;
        }
    }

    private RequestHandler(ProxyContext context, @Nullable String tunnelHost, int tunnelPort) {
        this.context = context;
        this.tunnelHost = tunnelHost;
        this.tunnelPort = tunnelPort;
    }

    /**
     * Adds the HTTP server handlers for a connection: the codec with the head bound and a request
     * handler.
     *
     * @param p the pipeline
     * @param context the proxy
     * @param tunnelHost the terminated tunnel's host, or null on the proxy port
     * @param tunnelPort the tunnel's port
     */
    public static void install(ChannelPipeline p, ProxyContext context, @Nullable String tunnelHost, int tunnelPort) {
        int head = context.options().maxHeaderBytes();
        p.addLast("http", new HttpServerCodec(Math.min(head, 8192), head, 65536));
        p.addLast("requests", new RequestHandler(context, tunnelHost, tunnelPort));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        this.ctx = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        Exchange e = current;
        if (e != null && e.requestDone || !backlog.isEmpty()) {
            backlog.add(msg);
            readingChanged();
            return;
        }
        handle(c, msg);
    }

    private void handle(ChannelHandlerContext c, Object msg) {
        if (msg instanceof HttpRequest req) {
            if (current != null) {
                ReferenceCountUtil.release(msg);
                c.close();
                return;
            }
            begin(c, req);
            if (msg instanceof HttpContent content) {
                body(c, content);
            }
        } else if (msg instanceof HttpContent content) {
            body(c, content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(ChannelHandlerContext c, HttpRequest req) {
        Timers.RequestDeadline deadline = c.pipeline().get(Timers.RequestDeadline.class);
        if (deadline != null) {
            deadline.disarm();
        }
        if (!req.decoderResult().isSuccess()) {
            badRequest(c, req.decoderResult().cause());
            return;
        }
        try {
            if (tunnelHost == null && !authorised(c, req)) {
                return;
            }
            if (tunnelHost != null) {
                inTunnel(c, req, tunnelHost, tunnelPort);
            } else if (req.method().equals(HttpMethod.CONNECT)) {
                connect(c, req);
            } else {
                plain(c, req);
            }
        } catch (RuntimeException ex) {
            refuse(c, req, HttpResponseStatus.BAD_REQUEST, "egress: " + ex.getMessage(), true);
        }
    }

    private boolean authorised(ChannelHandlerContext c, HttpRequest req) {
        String token = context.options().accessToken();
        if (token == null || ProxyAuth.accepts(req.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION), token)) {
            return true;
        }
        context.options()
                .log()
                .event(
                        "egress",
                        "unauthenticated",
                        Map.of(
                                "client",
                                String.valueOf(c.channel().remoteAddress()),
                                "method",
                                req.method().name(),
                                "reason",
                                req.headers().contains(HttpHeaderNames.PROXY_AUTHORIZATION)
                                        ? "wrong proxy credential"
                                        : "no proxy credential"));
        current = new Exchange(false, null, req.method().name(), "", 0, null, null);
        current.responseDone = true;
        current.closeWhenDone = true;
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED,
                Unpooled.copiedBuffer(
                        "egress: this proxy serves only its bottle's agent (Proxy-Authorization required)\n",
                        StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"bottle\"");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        c.writeAndFlush(r);
        return false;
    }

    private void badRequest(ChannelHandlerContext c, @Nullable Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException
                        ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                        : cause instanceof TooLongFrameException
                                ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                                : HttpResponseStatus.BAD_REQUEST;
        String why = cause == null ? "malformed request" : cause.getClass().getSimpleName();
        context.options()
                .log()
                .event(
                        "egress",
                        "bad-request",
                        Map.of(
                                "client",
                                String.valueOf(c.channel().remoteAddress()),
                                "status",
                                status.code(),
                                "reason",
                                why));
        current = new Exchange(false, null, "?", "", 0, null, null);
        Responses.plain(c.channel(), status, "egress: " + status.reasonPhrase() + " (" + why + ")\n", true);
    }

    private void connect(ChannelHandlerContext c, HttpRequest req) {
        HostPort target = HostPort.parseAuthority(req.uri(), -1);
        if (target == null) {
            refuse(c, req, HttpResponseStatus.BAD_REQUEST, "egress: CONNECT needs host:port, got " + req.uri(), true);
            return;
        }
        EgressDecision d = decide(target.host(), target.port(), null);
        String route = d.route() == null ? null : d.route().host();
        if (!d.allowed()) {
            context.decision(
                    c.channel().remoteAddress(),
                    "CONNECT",
                    d.host(),
                    target.port(),
                    null,
                    route,
                    "blocked",
                    null,
                    d.reason());
            refuse(c, req, HttpResponseStatus.FORBIDDEN, d.reason(), true);
            return;
        }
        EgressRoute r = Objects.requireNonNull(d.route());
        String mode = d.injectsCredential() ? "inject" : r.inspected() ? "inspect" : "splice";
        context.decision(
                c.channel().remoteAddress(),
                "CONNECT",
                d.host(),
                target.port(),
                null,
                route,
                "allowed",
                mode,
                d.reason());
        current = new Exchange(true, null, "CONNECT", d.host(), target.port(), null, route);
        c.writeAndFlush(new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection Established"), Unpooled.EMPTY_BUFFER));
    }

    /** Once the CONNECT request has ended, the connection becomes a tunnel. */
    private void becomeTunnel(ChannelHandlerContext c, Exchange e) {
        ChannelPipeline p = c.pipeline();
        EgressDecision d = decide(e.host, e.port, null);
        boolean terminate = d.allowed() && d.route() != null && d.route().inspected();
        p.addLast("tunnel", new TunnelGate(context, e.host, e.port, terminate));
        Timers.RequestDeadline deadline = p.get(Timers.RequestDeadline.class);
        if (deadline != null) {
            p.remove(deadline);
        }
        current = null;
        p.remove(this);
        p.remove("http");
    }

    private void plain(ChannelHandlerContext c, HttpRequest req) {
        URI uri;
        try {
            uri = new URI(req.uri());
        } catch (URISyntaxException ex) {
            uri = null;
        }
        if (uri == null || !uri.isAbsolute() || uri.getHost() == null) {
            refuse(
                    c,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    "egress is a forward proxy: send absolute-form http://" + " requests or CONNECT host:port (got "
                            + req.method() + " " + req.uri() + ")",
                    true);
            return;
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            refuse(
                    c,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    "egress: " + uri.getScheme() + " URLs go through CONNECT," + " not as proxy requests",
                    true);
            return;
        }
        String host = hostOf(uri);
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String raw = originForm(uri);
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && !sameHost(hostHeader, host, port, 80)) {
            block(
                    c,
                    req,
                    host,
                    port,
                    raw,
                    null,
                    "blocked: Host header " + hostHeader + " does not match the request" + " target " + host
                            + " (egress refuses domain fronting)");
            return;
        }
        EgressDecision d = decide(host, port, raw);
        String route = d.route() == null ? null : d.route().host();
        if (!d.allowed()) {
            block(c, req, d.host(), port, raw, route, d.reason());
            return;
        }
        if (d.injectsCredential()) {
            block(
                    c,
                    req,
                    d.host(),
                    port,
                    raw,
                    route,
                    "blocked: " + d.host() + " has a credential route; egress"
                            + " sends its credential only over https (use https://" + d.host() + ")");
            return;
        }
        forward(c, req, d, port, false, null);
    }

    private void inTunnel(ChannelHandlerContext c, HttpRequest req, String host, int port) {
        String raw = req.uri();
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            block(
                    c,
                    req,
                    host,
                    port,
                    raw,
                    null,
                    "blocked: request target " + printable(raw) + " is not origin-form;" + " inside a tunnel to " + host
                            + " send paths such as /v1/...");
            return;
        }
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && !sameHost(hostHeader, host, port, 443)) {
            block(
                    c,
                    req,
                    host,
                    port,
                    raw,
                    null,
                    "blocked: Host header " + hostHeader + " does not match the tunnel's" + " host " + host
                            + " (egress refuses domain fronting)");
            return;
        }
        EgressDecision d = decide(host, port, raw);
        EgressRoute r = d.route();
        if (!d.allowed() || r == null) {
            block(c, req, host, port, raw, r == null ? null : r.host(), d.reason());
            return;
        }
        if (r.auth() == null) {
            forward(c, req, d, port, true, null);
            return;
        }
        String value = context.options().tokens().apply(r.auth().tokenRef());
        if (value == null || value.isEmpty()) {
            context.decision(
                    c.channel().remoteAddress(),
                    req.method().name(),
                    host,
                    port,
                    raw,
                    r.host(),
                    "blocked",
                    null,
                    "the bundle has no value for " + r.auth().tokenRef());
            refuse(
                    c,
                    req,
                    HttpResponseStatus.BAD_GATEWAY,
                    "egress: the bundle has no value for " + r.auth().tokenRef()
                            + "; set it on the host and relaunch the bottle",
                    true);
            return;
        }
        forward(c, req, d, port, true, r.auth().scheme().wire() + " " + value);
    }

    private EgressDecision decide(String host, int port, @Nullable String target) {
        EgressDecision d = context.policy().current().decide(host, target);
        if (d.allowed() && !context.options().ports().contains(port)) {
            return new EgressDecision(
                    false,
                    d.host(),
                    d.route(),
                    "blocked: port " + port + " on " + d.host() + " is not allowed (egress allows ports "
                            + new TreeSet<>(context.options().ports()) + ")");
        }
        return d;
    }

    private void forward(
            ChannelHandlerContext c,
            HttpRequest req,
            EgressDecision d,
            int port,
            boolean tls,
            @Nullable String authorization) {
        RequestTarget target = Objects.requireNonNull(d.target());
        EgressRoute r = Objects.requireNonNull(d.route());
        HttpHeaders h = req.headers();
        for (String listed : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : listed.split(",")) {
                h.remove(name.strip());
            }
        }
        HOP.forEach(h::remove);
        if (authorization != null) {
            h.remove(HttpHeaderNames.AUTHORIZATION);
        }
        boolean expectContinue = HttpUtil.is100ContinueExpected(req);
        h.remove(HttpHeaderNames.EXPECT);
        SecretScanner scanner = context.scanner(r);
        String found = scanHead(scanner, req, target);
        // the log gets the path without its query (where keys often travel), and no path that holds a secret
        String logged = found != null && found.startsWith("path") ? "(withheld: it holds a secret)" : target.path();
        if (found != null) {
            block(c, req, d.host(), port, logged, r.host(), "blocked: request " + found);
            return;
        }
        context.decision(
                c.channel().remoteAddress(),
                req.method().name(),
                d.host(),
                port,
                logged,
                r.host(),
                "allowed",
                authorization != null ? "inject" : tls ? "inspect" : "http",
                d.reason());
        if (authorization != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        int defaultPort = tls ? 443 : 80;
        h.set(HttpHeaderNames.HOST, port == defaultPort ? d.host() : d.host() + ":" + port);
        req.setUri(target.originForm());
        if (expectContinue) {
            c.writeAndFlush(new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        current = new Exchange(false, scanner.stream(), req.method().name(), d.host(), port, logged, r.host());
        if (forwarder == null) {
            forwarder = new Forwarder(context, c.channel(), this);
        }
        forwarder.start(headOnly(req), d.host(), port, tls);
    }

    private static HttpRequest headOnly(HttpRequest req) {
        if (req instanceof HttpContent) {
            DefaultHttpRequest head =
                    new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers());
            return head;
        }
        return req;
    }

    /** Scans what the agent sends besides the body: the target (raw and decoded) and every header. */
    private static @Nullable String scanHead(SecretScanner scanner, HttpRequest req, RequestTarget target) {
        String f = scanner.find(target.path());
        if (f != null) {
            return "path contains secret " + f;
        }
        if (target.query() != null && (f = scanner.find(target.query())) != null) {
            return "query contains secret " + f;
        }
        for (Map.Entry<String, String> e : req.headers()) {
            if ((f = scanner.find(e.getValue())) != null) {
                return "header " + e.getKey() + " contains secret " + f;
            }
        }
        return null;
    }

    private void body(ChannelHandlerContext c, HttpContent content) {
        Exchange e = current;
        boolean last = content instanceof LastHttpContent;
        if (e == null) {
            content.release();
            return;
        }
        if (e.connect) {
            content.release();
            if (last) {
                becomeTunnel(c, e);
            }
            return;
        }
        if (e.discard || e.scan == null) {
            e.discarded += content.content().readableBytes();
            content.release();
            if (e.closeWhenDone && (last || e.discarded > MAX_DISCARD)) {
                // the answer went out first; closing only once the body is read spares the client a reset
                Relay.closeOnFlush(c.channel());
                return;
            }
            if (last) {
                e.requestDone = true;
                maybeFinish();
            }
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(content.content());
        HttpHeaders trailers = last ? ((LastHttpContent) content).trailingHeaders() : null;
        String inTrailers = trailers == null ? null : trailerSecret(context.scanner(null), trailers);
        content.release();
        boolean clean = e.scan.next(bytes, last);
        if (!clean || inTrailers != null) {
            String what = !clean ? "body contains secret " + e.scan.finding() : inTrailers;
            Objects.requireNonNull(forwarder).abort();
            e.discard = true;
            e.requestDone = last;
            String reason = "blocked: request " + what;
            context.decision(
                    c.channel().remoteAddress(), e.method, e.host, e.port, e.path, e.route, "blocked", null, reason);
            e.responseDone = true;
            // the rest of the body is read and dropped before the connection closes, so the client sees the 403
            e.closeWhenDone = true;
            Responses.plain(c.channel(), HttpResponseStatus.FORBIDDEN, reason + "\n", true, last);
            return;
        }
        // what was held back from the piece before, then this piece less what it now holds back: no copy
        byte[] released = e.scan.released();
        Objects.requireNonNull(forwarder)
                .body(
                        released.length == 0
                                ? Unpooled.wrappedBuffer(bytes, 0, e.scan.safeLength())
                                : Unpooled.wrappedBuffer(
                                        Unpooled.wrappedBuffer(released),
                                        Unpooled.wrappedBuffer(bytes, 0, e.scan.safeLength())),
                        trailers);
        if (last) {
            e.requestDone = true;
            maybeFinish();
        }
    }

    private static @Nullable String trailerSecret(SecretScanner scanner, HttpHeaders trailers) {
        for (Map.Entry<String, String> t : trailers) {
            String f = scanner.find(t.getValue());
            if (f != null) {
                return "trailer " + t.getKey() + " contains secret " + f;
            }
        }
        return null;
    }

    private void refuse(
            ChannelHandlerContext c, HttpRequest req, HttpResponseStatus status, String text, boolean close) {
        current = new Exchange(false, null, req.method().name(), "", 0, null, null);
        current.responseDone = true;
        current.closeWhenDone = close;
        Responses.plain(c.channel(), status, text + "\n", close, false);
    }

    private void block(
            ChannelHandlerContext c,
            HttpRequest req,
            String host,
            int port,
            @Nullable String path,
            @Nullable String route,
            String reason) {
        boolean keepAlive = HttpUtil.isKeepAlive(req) && tunnelHost != null;
        String logged = path == null || path.indexOf('?') < 0 ? path : path.substring(0, path.indexOf('?'));
        context.decision(
                c.channel().remoteAddress(), req.method().name(), host, port, logged, route, "blocked", null, reason);
        refuse(c, req, HttpResponseStatus.FORBIDDEN, reason, !keepAlive);
    }

    @Override
    public void responseDone() {
        Exchange e = current;
        if (e != null) {
            e.responseDone = true;
            maybeFinish();
        }
    }

    private void maybeFinish() {
        Exchange e = current;
        ChannelHandlerContext c = ctx;
        if (e == null || c == null || !e.requestDone || !e.responseDone) {
            return;
        }
        current = null;
        rearm(c);
        // pipelined requests, in the order they came, each only once the one before it is answered
        while (!backlog.isEmpty() && c.channel().isActive()) {
            Exchange next = current;
            if (next != null && next.requestDone) {
                break;
            }
            handle(c, backlog.poll());
        }
        readingChanged();
    }

    @Override
    public void readingChanged() {
        ChannelHandlerContext c = ctx;
        if (c == null || c.isRemoved()) {
            return;
        }
        Exchange e = current;
        Forwarder f = forwarder;
        boolean read = backlog.isEmpty()
                && (e == null || !e.requestDone)
                && (f == null || e == null || e.discard || f.canTakeBody());
        c.channel().config().setAutoRead(read);
    }

    private static void rearm(ChannelHandlerContext c) {
        ChannelHandlerContext d = c.pipeline().context(Timers.RequestDeadline.class);
        if (d != null) {
            ((Timers.RequestDeadline) d.handler()).arm(d);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        if (forwarder != null) {
            forwarder.clientWritable();
        }
        c.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (forwarder != null) {
            forwarder.close();
        }
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        c.close();
    }

    private static String hostOf(URI uri) {
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static String originForm(URI uri) {
        String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
    }

    private static String printable(String raw) {
        String s = raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }

    private static boolean sameHost(String hostHeader, String host, int port, int defaultPort) {
        HostPort hp = HostPort.parseAuthority(hostHeader, defaultPort);
        return hp != null && hp.host().equals(normalise(host)) && hp.port() == port;
    }

    /**
     * Lower-cases a host and drops a trailing dot.
     *
     * @param host a host
     * @return the normal form
     */
    static String normalise(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
