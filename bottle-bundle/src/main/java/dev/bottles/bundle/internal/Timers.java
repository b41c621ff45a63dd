package dev.bottles.bundle.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** The two clocks on a client connection: the request deadline and the idle bound. */
public final class Timers {
    private Timers() {}

    /** Closes a connection idle in both directions for the configured time. */
    public static final class Idle extends IdleStateHandler {
        /**
         * Creates the bound.
         *
         * @param idle how long a connection may be idle
         */
        public Idle(Duration idle) {
            super(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
            ctx.close();
        }
    }

    /**
     * Answers 408 and closes when a complete request has not arrived in time after the connection
     * opened or the previous response ended (a slow client cannot hold a connection open).
     */
    public static final class RequestDeadline extends ChannelDuplexHandler {
        private final long millis;
        private @Nullable ScheduledFuture<?> pending;

        /**
         * Creates the deadline.
         *
         * @param deadline how long a client may take to send a request
         */
        public RequestDeadline(Duration deadline) {
            this.millis = deadline.toMillis();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            arm(ctx);
            ctx.fireChannelActive();
        }

        /**
         * Starts (or restarts) the deadline.
         *
         * @param ctx this handler's context
         */
        public void arm(ChannelHandlerContext ctx) {
            disarm();
            pending = ctx.executor()
                    .schedule(
                            () -> {
                                if (ctx.channel().isActive()) {
                                    Responses.plain(
                                            ctx.channel(),
                                            HttpResponseStatus.REQUEST_TIMEOUT,
                                            "no complete request within " + millis + " ms\n",
                                            true);
                                }
                            },
                            millis,
                            TimeUnit.MILLISECONDS);
        }

        /** Stops the deadline. */
        public void disarm() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            disarm();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            ctx.fireChannelInactive();
        }
    }
}
