package dev.bottles.bundle.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Sends a client connection's requests upstream over one kept-alive upstream connection per
 * target: the head first, then the body as it arrives (already scanned), with back-pressure both
 * ways; each response streams back to the client. One request is in flight at a time; the
 * {@link RequestHandler} holds pipelined requests back until the response before them is done.
 */
public final class Forwarder {
    /** What the forwarder tells its request handler. */
    public interface Owner {
        /** The response to the current request has been written in full. */
        void responseDone();

        /** Whether the client may be read again changed (upstream connected, or its writability changed). */
        void readingChanged();
    }

    private final ProxyContext context;
    private final Channel client;
    private final Owner owner;
    private @Nullable Channel upstream;
    private @Nullable String target;
    private final List<Object> pending = new ArrayList<>();
    private boolean connecting;
    private boolean failed;
    private boolean awaiting;

    /**
     * Creates the forwarder of one client connection.
     *
     * @param context the proxy
     * @param client the client connection
     * @param owner what to tell about progress
     */
    public Forwarder(ProxyContext context, Channel client, Owner owner) {
        this.context = context;
        this.client = client;
        this.owner = owner;
    }

    /**
     * Starts a request: dials the upstream (or reuses the connection) and sends the head.
     *
     * @param head the request head, already rewritten for the upstream (origin-form, headers)
     * @param host the upstream host
     * @param port its port
     * @param tls whether to speak TLS to it
     */
    public void start(HttpRequest head, String host, int port, boolean tls) {
        failed = false;
        awaiting = true;
        String t = (tls ? "https://" : "http://") + host + ":" + port;
        boolean viaProxy = !tls && context.options().upstreamProxy() != null;
        if (viaProxy) {
            head.setUri("http://" + (host.contains(":") ? "[" + host + "]" : host) + (port == 80 ? "" : ":" + port)
                    + head.uri());
        }
        Channel up = upstream;
        if (up != null && up.isActive() && t.equals(target)) {
            up.write(head).addListener(this::onWrite);
            return;
        }
        if (up != null) {
            up.close();
        }
        upstream = null;
        target = t;
        connecting = true;
        pending.add(head);
        owner.readingChanged();
        (tls ? context.dial(client.eventLoop(), host, port) : context.dialForPlainHttp(client.eventLoop(), host, port))
                .addListener(f -> {
                    connecting = false;
                    if (!f.isSuccess()) {
                        drop();
                        failed = true;
                        Responses.plain(
                                client,
                                HttpResponseStatus.BAD_GATEWAY,
                                "egress: cannot reach " + host + ":" + port + " (" + describe(f.cause()) + ")\n",
                                true);
                        return;
                    }
                    Channel ch = (Channel) f.getNow();
                    if (!client.isActive() || failed) {
                        drop();
                        ch.close();
                        return;
                    }
                    if (tls) {
                        ch.pipeline().addLast("tls", context.tls().upstream(ch.alloc(), host, port));
                    }
                    ch.pipeline()
                            .addLast("idle", new Timers.Idle(context.options().idleTimeout()));
                    ch.pipeline()
                            .addLast(
                                    "http",
                                    new HttpClientCodec(4096, context.options().maxHeaderBytes(), 65536));
                    ch.pipeline().addLast("back", new Back(host, port));
                    ch.config().setAutoRead(true);
                    upstream = ch;
                    for (Object o : pending) {
                        ch.write(o).addListener(this::onWrite);
                    }
                    pending.clear();
                    ch.flush();
                    owner.readingChanged();
                });
    }

    /**
     * Sends the next piece of the current request's body.
     *
     * @param bytes the bytes, already scanned; ownership passes to the forwarder
     * @param trailers the trailers when this is the last piece, else null
     */
    public void body(ByteBuf bytes, @Nullable HttpHeaders trailers) {
        if (failed) {
            bytes.release();
            return;
        }
        Object piece;
        if (trailers != null) {
            DefaultLastHttpContent last = new DefaultLastHttpContent(bytes);
            last.trailingHeaders().set(trailers);
            piece = last;
        } else {
            piece = new DefaultHttpContent(bytes);
        }
        Channel up = upstream;
        if (connecting || up == null) {
            pending.add(piece);
            return;
        }
        up.writeAndFlush(piece).addListener(this::onWrite);
        if (!up.isWritable()) {
            owner.readingChanged();
        }
    }

    /**
     * Tells whether the client may be read for more of the body: the upstream is connected and can
     * take more.
     *
     * @return true when reading may go on
     */
    public boolean canTakeBody() {
        Channel up = upstream;
        return !connecting && (up == null || up.isWritable());
    }

    /** Abandons the current request: the upstream connection closes, so it never gets a whole request. */
    public void abort() {
        failed = true;
        drop();
        Channel up = upstream;
        upstream = null;
        target = null;
        if (up != null) {
            up.close();
        }
    }

    /** Closes the upstream connection; call when the client connection closes. */
    public void close() {
        abort();
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

    private void onWrite(Future<? super Void> f) {
        if (!f.isSuccess() && !failed) {
            failed = true;
            Responses.plain(
                    client,
                    HttpResponseStatus.BAD_GATEWAY,
                    "egress: upstream write failed (" + describe(f.cause()) + ")\n",
                    true);
            Channel up = upstream;
            if (up != null) {
                up.close();
            }
        }
    }

    private void drop() {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
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
        private boolean interim;
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
                    Responses.plain(
                            client,
                            HttpResponseStatus.BAD_GATEWAY,
                            "egress: malformed response from " + host + ":" + port + "\n",
                            true);
                    ctx.close();
                    return;
                }
                // an interim response (100 Continue, 103) goes to the client, but the exchange goes on
                interim = r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                        && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
                inResponse = true;
                if (!interim) {
                    closeAfter = !HttpUtil.isKeepAlive(r);
                    r.headers().remove("keep-alive");
                    if (closeAfter) {
                        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    }
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
            if (last && interim) {
                interim = false;
                return;
            }
            if (last) {
                inResponse = false;
                if (closeAfter) {
                    Relay.closeOnFlush(client);
                    ctx.close();
                } else {
                    awaiting = false;
                    owner.responseDone();
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            owner.readingChanged();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != upstream) {
                return;
            }
            if (inResponse) {
                client.close();
            } else if (awaiting && !failed) {
                Responses.plain(
                        client,
                        HttpResponseStatus.BAD_GATEWAY,
                        "egress: " + host + ":" + port + " closed the" + " connection before answering\n",
                        true);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!inResponse && client.isActive()) {
                Responses.plain(
                        client,
                        HttpResponseStatus.BAD_GATEWAY,
                        "egress: upstream " + host + ":" + port + " failed (" + describe(cause) + ")\n",
                        true);
            } else {
                client.close();
            }
            ctx.close();
        }
    }
}
