package dev.bottles.bundle.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes from its channel to a peer with back-pressure: reading stops while the peer cannot
 * take more, and resumes when it can. Either side closing closes the other once its writes are
 * flushed. Installed on both channels of a spliced tunnel.
 */
public final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    /**
     * Creates a relay to a peer.
     *
     * @param peer where bytes go
     */
    public Relay(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        peer.write(msg).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close();
                ctx.close();
            }
        });
        if (!peer.isWritable()) {
            // Stop reading before flushing: the flush can drain the peer at once and fire its
            // writability change, which turns reading back on; the other order would lose that and
            // leave the tunnel stalled for good.
            ctx.channel().config().setAutoRead(false);
            peer.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // one flush per read batch rather than per buffer: fewer syscalls on a busy tunnel
        peer.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        closeOnFlush(peer);
    }

    /**
     * Closes a channel once what was written to it is flushed.
     *
     * @param ch the channel
     */
    public static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
