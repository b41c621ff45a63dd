package dev.bottles.bundle.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The first bytes of an allowed CONNECT tunnel: reads the TLS ClientHello's server name without
 * terminating TLS and refuses a tunnel whose SNI names another host than the CONNECT target
 * (domain fronting) or that has no SNI for a named host. Then, on an inspected route (the default,
 * and every credential route), it terminates TLS with a leaf for the host and serves the requests
 * inside with a {@link RequestHandler}; on a {@code tls: passthrough} route it splices the tunnel to
 * the upstream (replaying the ClientHello).
 */
public final class TunnelGate extends AbstractSniHandler<Object> {
    private static final Object TERMINATE = new Object();

    private final ProxyContext context;
    private final String host;
    private final int port;
    private final boolean terminate;
    private @Nullable String refusal;

    /**
     * Creates the gate of one tunnel.
     *
     * @param context the proxy
     * @param host the allowed CONNECT host
     * @param port its port
     * @param terminate whether TLS is terminated and the requests inside inspected
     */
    public TunnelGate(ProxyContext context, String host, int port, boolean terminate) {
        super(context.options().headTimeout().toMillis());
        this.context = context;
        this.host = host;
        this.port = port;
        this.terminate = terminate;
    }

    @Override
    protected Future<Object> lookup(ChannelHandlerContext ctx, @Nullable String hostname) {
        String sni = hostname == null ? null : RequestHandler.normalise(hostname);
        if (sni == null && !literal(host)) {
            refusal = "blocked: the tunnel to " + host + " sent no TLS server name (SNI); egress needs it to match"
                    + " the CONNECT target";
        } else if (sni != null && !sni.equals(host)) {
            refusal = "blocked: TLS server name " + sni + " does not match the CONNECT target " + host
                    + " (egress refuses domain fronting)";
        }
        if (refusal != null) {
            return ctx.executor().newFailedFuture(new IllegalStateException(refusal));
        }
        if (terminate) {
            return ctx.executor().newSucceededFuture(TERMINATE);
        }
        @SuppressWarnings("unchecked")
        Future<Object> dial =
                (Future<Object>) (Future<?>) context.dial(ctx.channel().eventLoop(), host, port);
        return dial;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, @Nullable String hostname, Future<Object> future) {
        Channel client = ctx.channel();
        if (!future.isSuccess()) {
            String reason = refusal != null
                    ? refusal
                    : "egress: cannot reach " + host + ":" + port + " (" + Objects.toString(future.cause(), "") + ")";
            context.decision(
                    client.remoteAddress(),
                    "TLS",
                    host,
                    port,
                    null,
                    null,
                    refusal != null ? "blocked" : "failed",
                    null,
                    reason);
            client.close();
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        Object result = future.getNow();
        if (result == TERMINATE) {
            p.addAfter(ctx.name(), "tls", context.tls().leaf(host).newHandler(client.alloc()));
            Timers.RequestDeadline deadline =
                    new Timers.RequestDeadline(context.options().headTimeout());
            p.addAfter("tls", "deadline", deadline);
            RequestHandler.install(p, context, host, port);
            p.remove(this);
            deadline.arm(p.context(deadline));
            return;
        }
        Channel upstream = (Channel) Objects.requireNonNull(result);
        if (!client.isActive()) {
            upstream.close();
            return;
        }
        upstream.pipeline().addLast("idle", new Timers.Idle(context.options().idleTimeout()));
        upstream.pipeline().addLast("relay", new Relay(client));
        p.addAfter(ctx.name(), "relay", new Relay(upstream));
        p.remove(this);
        upstream.config().setAutoRead(true);
    }

    private static boolean literal(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }
}
