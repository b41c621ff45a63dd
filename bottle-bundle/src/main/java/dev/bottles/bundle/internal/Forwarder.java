package dev.bottles.bundle.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Sends a client connection's requests upstream, one at a time, over one kept-alive upstream
 * connection per target, and streams each response back with back-pressure. While a request is in
 * flight the client is not read (no pipelining), so at most one request body is held in memory.
 */
public final class Forwarder {
    private final ProxyContext context;
    private final Channel client;
    private final Consumer<Channel> onResponseDone;
    private @Nullable Channel upstream;
    private @Nullable String target;

    /**
     * Creates the forwarder of one client connection.
     *
     * @param context the proxy
     * @param client the client connection
     * @param onResponseDone called when a response has been written in full (to re-arm the
     *     request deadline)
     */
    public Forwarder(ProxyContext context, Channel client, Consumer<Channel> onResponseDone) {
        this.context = context;
        this.client = client;
        this.onResponseDone = onResponseDone;
    }

    /**
     * Sends a request, taking ownership of it.
     *
     * @param request the request, already rewritten for the upstream (origin-form, headers)
     * @param host the upstream host
     * @param port its port
     * @param tls whether to speak TLS to it
     */
    public void send(FullHttpRequest request, String host, int port, boolean tls) {
        client.config().setAutoRead(false);
        String t = (tls ? "https://" : "http://") + host + ":" + port;
        Channel up = upstream;
        if (up != null && up.isActive() && t.equals(target)) {
            if (!tls && context.options().upstreamProxy() != null) {
                request.setUri("http://" + (host.contains(":") ? "[" + host + "]" : host)
                        + (port == 80 ? "" : ":" + port) + request.uri());
            }
            write(up, request);
            return;
        }
        if (up != null) {
            up.close();
        }
        upstream = null;
        target = t;
        boolean viaProxy = !tls && context.options().upstreamProxy() != null;
        if (viaProxy) {
            request.setUri("http://" + (host.contains(":") ? "[" + host + "]" : host) + (port == 80 ? "" : ":" + port)
                    + request.uri());
        }
        (tls ? context.dial(client.eventLoop(), host, port) : context.dialForPlainHttp(client.eventLoop(), host, port))
                .addListener(f -> {
            if (!f.isSuccess()) {
                ReferenceCountUtil.release(request);
                Responses.plain(client, HttpResponseStatus.BAD_GATEWAY, "egress: cannot reach " + host + ":" + port
                        + " (" + describe(f.cause()) + ")\n", true);
                return;
            }
            Channel ch = (Channel) f.getNow();
            if (!client.isActive()) {
                ReferenceCountUtil.release(request);
                ch.close();
                return;
            }
            if (tls) {
                ch.pipeline().addLast("tls", context.tls().upstream(ch.alloc(), host, port));
            }
            ch.pipeline().addLast("idle", new Timers.Idle(context.options().idleTimeout()));
            ch.pipeline().addLast("http", new HttpClientCodec(4096, context.options().maxHeaderBytes(), 65536));
            ch.pipeline().addLast("back", new Back(host, port));
            ch.config().setAutoRead(true);
            upstream = ch;
            write(ch, request);
        });
    }

    /**
     * Resumes reading upstream when the client can take more; call on client writability changes.
     */
    public void clientWritable() {
        Channel up = upstream;
        if (up != null && client.isWritable()) {
            up.config().setAutoRead(true);
        }
    }

    /** Closes the upstream connection; call when the client connection closes. */
    public void close() {
        Channel up = upstream;
        if (up != null) {
            up.close();
        }
    }

    private void write(Channel up, FullHttpRequest request) {
        up.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                Responses.plain(client, HttpResponseStatus.BAD_GATEWAY, "egress: upstream write failed ("
                        + describe(f.cause()) + ")\n", true);
                up.close();
            }
        });
    }

    private static String describe(@Nullable Throwable t) {
        if (t == null) {
            return "unknown";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + Objects.toString(root.getMessage(), "");
    }

    /** Streams an upstream's responses to the client. */
    private final class Back extends ChannelInboundHandlerAdapter {
        private final String host;
        private final int port;
        private boolean inResponse;
        private boolean closeAfter;

        Back(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpObject)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse r) {
                if (!r.decoderResult().isSuccess()) {
                    ReferenceCountUtil.release(msg);
                    Responses.plain(client, HttpResponseStatus.BAD_GATEWAY, "egress: malformed response from " + host
                            + ":" + port + "\n", true);
                    ctx.close();
                    return;
                }
                inResponse = true;
                closeAfter = !HttpUtil.isKeepAlive(r);
                r.headers().remove("keep-alive");
                if (closeAfter) {
                    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            boolean last = msg instanceof LastHttpContent;
            client.writeAndFlush(msg).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.close();
                    client.close();
                }
            });
            if (!client.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
            if (last) {
                inResponse = false;
                if (closeAfter) {
                    Relay.closeOnFlush(client);
                    ctx.close();
                } else {
                    onResponseDone.accept(client);
                    client.config().setAutoRead(true);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (inResponse) {
                client.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!inResponse && client.isActive()) {
                Responses.plain(client, HttpResponseStatus.BAD_GATEWAY, "egress: upstream " + host + ":" + port
                        + " failed (" + describe(cause) + ")\n", true);
            } else {
                client.close();
            }
            ctx.close();
        }
    }
}
