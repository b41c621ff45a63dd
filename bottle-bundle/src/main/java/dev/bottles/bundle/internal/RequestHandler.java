package dev.bottles.bundle.internal;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.EgressDecision;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Decides and serves one client connection's HTTP requests. On the proxy port it takes
 * {@code CONNECT host:port} (checked, then handed to a {@link TunnelGate}) and absolute-form
 * {@code http://} requests; inside a TLS-terminated credential tunnel it takes the agent's requests
 * to that one host, checks their path against the route, strips the agent's {@code Authorization}
 * and injects the real one.
 */
public final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Hop-by-hop headers never forwarded (RFC 9110 §7.6.1), plus proxy credentials. */
    private static final List<CharSequence> HOP = List.of(HttpHeaderNames.CONNECTION, "keep-alive",
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, "proxy-connection");

    private final ProxyContext context;
    private final @Nullable String tunnelHost;
    private final int tunnelPort;
    private @Nullable Forwarder forwarder;

    /**
     * Creates the handler for the proxy port.
     *
     * @param context the proxy
     */
    public RequestHandler(ProxyContext context) {
        this(context, null, 0);
    }

    private RequestHandler(ProxyContext context, @Nullable String tunnelHost, int tunnelPort) {
        super(false);
        this.context = context;
        this.tunnelHost = tunnelHost;
        this.tunnelPort = tunnelPort;
    }

    /**
     * Adds the HTTP server handlers for a connection: codec with the head bound, aggregator with the
     * body bound, and a request handler.
     *
     * @param p the pipeline
     * @param context the proxy
     * @param tunnelHost the credential tunnel's host, or null on the proxy port
     * @param tunnelPort the tunnel's port
     */
    public static void install(ChannelPipeline p, ProxyContext context, @Nullable String tunnelHost, int tunnelPort) {
        int head = context.options().maxHeaderBytes();
        p.addLast("http", new HttpServerCodec(Math.min(head, 8192), head, 65536));
        p.addLast("aggregate", new HttpObjectAggregator(context.options().maxBodyBytes()));
        p.addLast("requests", new RequestHandler(context, tunnelHost, tunnelPort));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        Timers.RequestDeadline deadline = ctx.pipeline().get(Timers.RequestDeadline.class);
        if (deadline != null) {
            deadline.disarm();
        }
        try {
            if (!req.decoderResult().isSuccess()) {
                badRequest(ctx, req.decoderResult().cause());
                req.release();
                return;
            }
            if (tunnelHost != null) {
                inTunnel(ctx, req, tunnelHost, tunnelPort);
            } else if (req.method().equals(HttpMethod.CONNECT)) {
                connect(ctx, req);
            } else {
                plain(ctx, req);
            }
        } catch (RuntimeException e) {
            req.release();
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "egress: " + e.getMessage() + "\n", true);
        }
    }

    private void badRequest(ChannelHandlerContext ctx, @Nullable Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        String why = cause == null ? "malformed request" : cause.getClass().getSimpleName();
        context.options().log().event("egress", "bad-request", java.util.Map.of("client",
                String.valueOf(ctx.channel().remoteAddress()), "status", status.code(), "reason", why));
        Responses.plain(ctx.channel(), status, "egress: " + status.reasonPhrase() + " (" + why + ")\n", true);
    }

    private void connect(ChannelHandlerContext ctx, FullHttpRequest req) {
        req.release();
        HostPort target = HostPort.parseAuthority(req.uri(), -1);
        if (target == null) {
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "egress: CONNECT needs host:port, got "
                    + req.uri() + "\n", true);
            return;
        }
        EgressDecision d = decide(target.host(), target.port(), null);
        String route = d.route() == null ? null : d.route().host();
        if (!d.allowed()) {
            context.decision(ctx.channel().remoteAddress(), "CONNECT", d.host(), target.port(), null, route, "blocked",
                    null, d.reason());
            Responses.plain(ctx.channel(), HttpResponseStatus.FORBIDDEN, d.reason() + "\n", true);
            return;
        }
        context.decision(ctx.channel().remoteAddress(), "CONNECT", d.host(), target.port(), null, route, "allowed",
                d.injectsCredential() ? "inject" : "splice", d.reason());
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(200, "Connection Established"), Unpooled.EMPTY_BUFFER));
        ChannelPipeline p = ctx.pipeline();
        p.addLast("tunnel", new TunnelGate(context, d.host(), target.port(), d.injectsCredential()));
        p.remove(this);
        p.remove("aggregate");
        p.remove("http");
        Timers.RequestDeadline deadline = p.get(Timers.RequestDeadline.class);
        if (deadline != null) {
            p.remove(deadline);
        }
    }

    private void plain(ChannelHandlerContext ctx, FullHttpRequest req) {
        URI uri;
        try {
            uri = new URI(req.uri());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !uri.isAbsolute() || uri.getHost() == null) {
            req.release();
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "egress is a forward proxy: send"
                    + " absolute-form http:// requests or CONNECT host:port (got " + req.method() + " " + req.uri()
                    + ")\n", true);
            return;
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            req.release();
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "egress: " + uri.getScheme() + " URLs go"
                    + " through CONNECT, not as proxy requests\n", true);
            return;
        }
        String host = hostOf(uri);
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = originForm(uri);
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && !sameHost(hostHeader, host, port, 80)) {
            block(ctx, req, host, port, path, null, "blocked: Host header " + hostHeader + " does not match the request"
                    + " target " + host + " (egress refuses domain fronting)");
            return;
        }
        EgressDecision d = decide(host, port, path);
        String route = d.route() == null ? null : d.route().host();
        if (!d.allowed()) {
            block(ctx, req, d.host(), port, path, route, d.reason());
            return;
        }
        if (d.injectsCredential()) {
            block(ctx, req, d.host(), port, path, route, "blocked: " + d.host() + " has a credential route; egress"
                    + " sends its credential only over https (use https://" + d.host() + ")");
            return;
        }
        context.decision(ctx.channel().remoteAddress(), req.method().name(), d.host(), port, path, route, "allowed",
                "http", d.reason());
        forward(ctx, req, d.host(), port, path, false, null);
    }

    private void inTunnel(ChannelHandlerContext ctx, FullHttpRequest req, String host, int port) {
        String path;
        try {
            URI uri = new URI(req.uri());
            if (uri.isAbsolute() && (uri.getHost() == null || !sameHost(hostOf(uri), host, port, 443))) {
                block(ctx, req, host, port, req.uri(), null, "blocked: request for " + uri.getHost() + " inside the"
                        + " tunnel to " + host);
                return;
            }
            path = originForm(uri);
        } catch (URISyntaxException e) {
            req.release();
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_REQUEST, "egress: bad request target\n", true);
            return;
        }
        String hostHeader = req.headers().get(HttpHeaderNames.HOST);
        if (hostHeader != null && !sameHost(hostHeader, host, port, 443)) {
            block(ctx, req, host, port, path, null, "blocked: Host header " + hostHeader + " does not match the tunnel's"
                    + " host " + host + " (egress refuses domain fronting)");
            return;
        }
        EgressDecision d = decide(host, port, path);
        EgressRoute r = d.route();
        if (!d.allowed() || r == null || r.auth() == null) {
            block(ctx, req, host, port, path, r == null ? null : r.host(), d.allowed()
                    ? "blocked: the route for " + host + " no longer carries a credential; reconnect" : d.reason());
            return;
        }
        String value = context.options().tokens().apply(r.auth().tokenRef());
        if (value == null || value.isEmpty()) {
            req.release();
            context.decision(ctx.channel().remoteAddress(), req.method().name(), host, port, path, r.host(), "blocked",
                    null, "the bundle has no value for " + r.auth().tokenRef());
            Responses.plain(ctx.channel(), HttpResponseStatus.BAD_GATEWAY, "egress: the bundle has no value for "
                    + r.auth().tokenRef() + "; set it on the host and relaunch the bottle\n", true);
            return;
        }
        context.decision(ctx.channel().remoteAddress(), req.method().name(), host, port, path, r.host(), "allowed",
                "inject", d.reason());
        forward(ctx, req, host, port, path, true, r.auth().scheme().wire() + " " + value);
    }

    private EgressDecision decide(String host, int port, @Nullable String path) {
        EgressDecision d = context.policy().current().decide(host, path);
        if (d.allowed() && !context.options().ports().contains(port)) {
            return new EgressDecision(false, d.host(), d.route(), "blocked: port " + port + " on " + d.host()
                    + " is not allowed (egress allows ports " + new java.util.TreeSet<>(context.options().ports()) + ")");
        }
        return d;
    }

    private void block(ChannelHandlerContext ctx, FullHttpRequest req, String host, int port, @Nullable String path,
            @Nullable String route, String reason) {
        String method = req.method().name();
        boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(req);
        req.release();
        context.decision(ctx.channel().remoteAddress(), method, host, port, path, route, "blocked", null, reason);
        Responses.plain(ctx.channel(), HttpResponseStatus.FORBIDDEN, reason + "\n", !keepAlive || tunnelHost == null);
        if (keepAlive && tunnelHost != null) {
            rearm(ctx.channel());
        }
    }

    private void forward(ChannelHandlerContext ctx, FullHttpRequest req, String host, int port, String path, boolean tls,
            @Nullable String authorization) {
        HttpHeaders h = req.headers();
        for (String listed : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : listed.split(",")) {
                h.remove(name.strip());
            }
        }
        HOP.forEach(h::remove);
        h.remove(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        int defaultPort = tls ? 443 : 80;
        h.set(HttpHeaderNames.HOST, port == defaultPort ? host : host + ":" + port);
        req.setUri(path);
        if (forwarder == null) {
            forwarder = new Forwarder(context, ctx.channel(), RequestHandler::rearm);
        }
        forwarder.send(req, host, port, tls);
    }

    private static void rearm(io.netty.channel.Channel ch) {
        ChannelHandlerContext c = ch.pipeline().context(Timers.RequestDeadline.class);
        if (c != null) {
            ((Timers.RequestDeadline) c.handler()).arm(c);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (forwarder != null) {
            forwarder.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (forwarder != null) {
            forwarder.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static String hostOf(URI uri) {
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static String originForm(URI uri) {
        String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
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
