package dev.bottles.bundle.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Egress's own answers: short {@code text/plain} responses written through the channel's HTTP codec. */
public final class Responses {
    private Responses() {}

    /**
     * Writes a plain-text response.
     *
     * @param ch the client channel (its pipeline encodes HTTP)
     * @param status the status
     * @param body the body
     * @param close whether to close the connection after it
     * @return the write's future
     */
    public static ChannelFuture plain(Channel ch, HttpResponseStatus status, String body, boolean close) {
        return plain(ch, status, body, close, close);
    }

    /**
     * Writes a plain-text response that may announce the connection's end without ending it yet
     * (the caller closes once the request's body is read).
     *
     * @param ch the client channel (its pipeline encodes HTTP)
     * @param status the status
     * @param body the body
     * @param announceClose whether the response says {@code Connection: close}
     * @param close whether to close the connection right after it
     * @return the write's future
     */
    public static ChannelFuture plain(
            Channel ch, HttpResponseStatus status, String body, boolean announceClose, boolean close) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        if (announceClose) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ch.writeAndFlush(r);
        if (close) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return f;
    }
}
