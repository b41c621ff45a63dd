package dev.bottles.bundle.internal;

import dev.bottles.bundle.EgressOptions;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.SecretScanner;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What every connection of one egress proxy shares: its options, live policy, TLS material, and
 * the dialler that reaches upstreams (directly, or by CONNECT through pipelock).
 *
 * @param options the options
 * @param policy the live policy
 * @param tls the TLS material
 */
public record ProxyContext(EgressOptions options, Policy policy, Tls tls, Scanners scanners) {

    /**
     * Creates the context, with scanners built from the options' secrets and route tokens.
     *
     * @param options the options
     * @param policy the live policy
     * @param tls the TLS material
     */
    public ProxyContext(EgressOptions options, Policy policy, Tls tls) {
        this(options, policy, tls, new Scanners());
    }

    /**
     * Returns the scanner for requests on a route: the bottle's secrets and every route token,
     * less what the route {@code carries}. Rebuilt when the policy changes.
     *
     * @param route the route, or null for the scanner of every secret
     * @return the scanner
     */
    public SecretScanner scanner(@Nullable EgressRoute route) {
        return scanners.of(this, route);
    }

    /** The scanners of the current policy, built once per policy and per route. */
    public static final class Scanners {
        private volatile @Nullable Built built;

        private record Built(
                EgressConfig config, SecretScanner all, ConcurrentHashMap<String, SecretScanner> byRoute) {}

        SecretScanner of(ProxyContext ctx, @Nullable EgressRoute route) {
            EgressConfig config = ctx.policy().current();
            Built b = built;
            if (b == null || b.config() != config) {
                Map<String, String> secrets = new LinkedHashMap<>(ctx.options().secrets());
                for (String ref : config.tokenRefs()) {
                    String v = ctx.options().tokens().apply(ref);
                    if (v != null && !v.isEmpty()) {
                        secrets.put(ref, v);
                    }
                }
                b = new Built(config, SecretScanner.of(secrets), new ConcurrentHashMap<>());
                built = b;
            }
            if (route == null || route.carries().isEmpty()) {
                return b.all();
            }
            SecretScanner all = b.all();
            return b.byRoute().computeIfAbsent(route.host(), h -> all.without(route.carries()));
        }
    }

    /**
     * Dials an upstream on the caller's event loop. The channel comes back with auto-read off and
     * an empty pipeline past the proxy hop, ready for the caller's handlers.
     *
     * @param loop the event loop of the client connection
     * @param host the allowed host
     * @param port the port
     * @return the connected channel, or the failure
     */
    public Future<Channel> dial(EventLoop loop, String host, int port) {
        return dial(loop, host, port, options.upstreamProxy());
    }

    /**
     * Dials pipelock itself (for plain {@code http://} requests, sent to it in absolute form), or the
     * upstream directly when there is no upstream proxy.
     *
     * @param loop the event loop of the client connection
     * @param host the allowed host
     * @param port the port
     * @return the connected channel, or the failure
     */
    public Future<Channel> dialForPlainHttp(EventLoop loop, String host, int port) {
        InetSocketAddress proxy = options.upstreamProxy();
        if (proxy == null) {
            return dial(loop, host, port, null);
        }
        return dial(loop, proxy.getHostString(), proxy.getPort(), null);
    }

    private Future<Channel> dial(EventLoop loop, String host, int port, @Nullable InetSocketAddress proxy) {
        Promise<Channel> result = loop.newPromise();
        HttpProxyHandler[] viaProxy = new HttpProxyHandler[1];
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        options.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (proxy != null) {
                            viaProxy[0] = new HttpProxyHandler(proxy);
                            viaProxy[0].setConnectTimeoutMillis(
                                    options.connectTimeout().toMillis());
                            ch.pipeline().addLast("upstream-proxy", viaProxy[0]);
                        }
                    }
                });
        InetSocketAddress target = proxy != null
                ? InetSocketAddress.createUnresolved(host, port)
                : options.upstreamProxy() != null
                                && host.equals(options.upstreamProxy().getHostString())
                                && port == options.upstreamProxy().getPort()
                        ? options.upstreamProxy()
                        : options.resolver().resolve(host, port);
        if (proxy != null) {
            // the proxy resolves the target; resolving it here would fail on a name only the proxy knows
            b.resolver(NoopAddressResolverGroup.INSTANCE);
        }
        ChannelFuture cf = b.connect(target);
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            if (viaProxy[0] == null) {
                result.trySuccess(cf.channel());
                return;
            }
            viaProxy[0].connectFuture().addListener(p -> {
                if (p.isSuccess()) {
                    cf.channel().pipeline().remove("upstream-proxy");
                    result.trySuccess(cf.channel());
                } else {
                    cf.channel().close();
                    result.tryFailure(p.cause());
                }
            });
        });
        return result;
    }

    /**
     * Logs one decision.
     *
     * @param client the client's address
     * @param method the request method
     * @param host the host
     * @param port the port
     * @param path the path, or null for a tunnel
     * @param route the matching route's host, or null
     * @param verdict {@code allowed} or {@code blocked}
     * @param mode {@code splice}, {@code inject}, {@code http} (allowed) or null
     * @param reason why (for a block, the text the agent got)
     */
    public void decision(
            @Nullable Object client,
            String method,
            String host,
            int port,
            @Nullable String path,
            @Nullable String route,
            String verdict,
            @Nullable String mode,
            String reason) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("client", client == null ? null : String.valueOf(client));
        f.put("method", method);
        f.put("host", host);
        f.put("port", port);
        if (path != null) {
            f.put("path", path);
        }
        f.put("route", route);
        f.put("verdict", verdict);
        if (mode != null) {
            f.put("mode", mode);
        }
        f.put("reason", reason);
        options.log().event("egress", "decision", f);
    }
}
