package dev.bottles.bundle;

import dev.bottles.BottleException;
import dev.bottles.bundle.internal.IdleTrim;
import dev.bottles.bundle.internal.Policy;
import dev.bottles.bundle.internal.ProxyContext;
import dev.bottles.bundle.internal.RequestHandler;
import dev.bottles.bundle.internal.Timers;
import dev.bottles.bundle.internal.Tls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The egress daemon: the agent's HTTP/1.1 forward proxy, serving only clients that send the
 * bottle's access credential as {@code Proxy-Authorization} (407 otherwise). It takes
 * {@code CONNECT host:port} and absolute-form {@code http://} requests and decides each against the
 * live {@code routes.yaml} ({@link dev.bottles.sidecars.EgressConfig#decide}): a host not allowed
 * gets {@code 403} with a body starting {@code blocked: }. An allowed tunnel's SNI must match its
 * CONNECT target; then egress terminates TLS with a leaf minted from the egress CA (every route
 * unless it says {@code tls: passthrough}, which is spliced untouched), decides each request on its
 * canonical target, scans its head and streaming body for the bottle's secrets, on a credential
 * route replaces the agent's {@code Authorization} with the real one, and forwards over verified
 * TLS. Every decision is one log event. See {@code docs/security.md}.
 *
 * <pre>{@code
 * try (EgressProxy egress = EgressProxy.start(EgressOptions.builder(routes, caCert, caKey).build())) {
 *     int port = egress.port();
 * }
 * }</pre>
 */
public final class EgressProxy implements AutoCloseable {
    /**
     * Event loop threads: Netty's two per core, but at most four. One bottle's agent is one client;
     * on a 64-core host the default would give every bundle 128 threads and their buffers.
     */
    static final int LOOPS = Math.min(4, 2 * Runtime.getRuntime().availableProcessors());

    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup connections;
    private final ScheduledFuture<?> reload;
    private final ProxyContext context;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EgressProxy(
            EventLoopGroup group,
            Channel server,
            ChannelGroup connections,
            ScheduledFuture<?> reload,
            ProxyContext context) {
        this.group = group;
        this.server = server;
        this.connections = connections;
        this.reload = reload;
        this.context = context;
    }

    /**
     * Reads the policy and CA, binds, and starts serving.
     *
     * @param options the options
     * @return the running proxy
     * @throws BottleException when a file is unreadable or malformed or the address cannot be bound
     */
    public static EgressProxy start(EgressOptions options) {
        Policy policy = new Policy(options.routesFile(), options.log());
        List<Path> anchors = options.extraAnchors();
        ProxyContext context =
                new ProxyContext(options, policy, new Tls(options.caCertificate(), options.caKey(), anchors));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                LOOPS, new DefaultThreadFactory("egress", true), NioIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup("egress", GlobalEventExecutor.INSTANCE);
        IdleTrim trim = new IdleTrim(connections::isEmpty);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            trim.accepted();
                            connections.add(ch);
                            ch.pipeline().addLast("idle", new Timers.Idle(options.idleTimeout()));
                            ch.pipeline().addLast("deadline", new Timers.RequestDeadline(options.headTimeout()));
                            RequestHandler.install(ch.pipeline(), context, null, 0);
                        }
                    })
                    .bind(options.listen())
                    .syncUninterruptibly()
                    .channel();
            long every = Math.max(50, options.reloadInterval().toMillis());
            ScheduledFuture<?> reload =
                    group.next().scheduleWithFixedDelay(policy::check, every, every, TimeUnit.MILLISECONDS);
            group.next()
                    .scheduleWithFixedDelay(
                            trim::tick, IdleTrim.TICK.toMillis(), IdleTrim.TICK.toMillis(), TimeUnit.MILLISECONDS);
            EgressProxy proxy = new EgressProxy(group, server, connections, reload, context);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("listen", String.valueOf(server.localAddress()));
            f.put("upstream", options.upstreamProxy() == null ? "direct" : String.valueOf(options.upstreamProxy()));
            f.put("hosts", policy.current().allowedHosts());
            f.put(
                    "uninspected",
                    policy.current().routes().stream()
                            .filter(r -> !r.inspected())
                            .map(r -> r.host())
                            .toList());
            f.put(
                    "proxy_auth",
                    options.accessToken() != null ? "required" : "NOT REQUIRED (no access credential given)");
            f.put("secrets", options.secrets().size());
            options.log().event("egress", "ready", f);
            return proxy;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new BottleException("egress cannot listen on " + options.listen() + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Returns the port the proxy listens on.
     *
     * @return the port
     */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Re-reads the routes file now rather than at the next check.
     *
     * @return true when new routes took effect
     */
    public boolean reloadRoutes() {
        return context.policy().check();
    }

    /**
     * Returns how many client connections are open (tunnels included).
     *
     * @return the count
     */
    public int openConnections() {
        return connections.size();
    }

    /** Stops accepting, closes every connection, and stops the event loops. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reload.cancel(false);
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
