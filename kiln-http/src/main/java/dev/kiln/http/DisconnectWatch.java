package dev.kiln.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Keeps one request per connection in flight, and notices a client that goes away while its answer is computed. Reading
 * is paused meanwhile (HTTP/1.1 answers must come in order), and NIO only sees a closed connection by reading it; so
 * while a watch is on, one read is armed, and any request it brings (pipelined behind the pending one, or decoded from
 * the same read) is held here until {@link #release}. An end of stream closes the channel as usual, and the request
 * handler cancels the pending answer: a language-model generation then stops and frees its slot. A client that
 * half-closes its side while it waits counts as gone, as Netty's default {@code ALLOW_HALF_CLOSURE=false} has it; one
 * that pipelines a request is watched no further until that one's turn.
 *
 * <p>One instance per connection, between the aggregator and the request handler; all methods run on the connection's
 * event loop.
 */
final class DisconnectWatch extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private ChannelHandlerContext self;
  private boolean holding;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    self = ctx;
  }

  /** With auto-read off: arms one read, and holds the requests it brings until {@link #release}. */
  static void watch(ChannelHandlerContext ctx) {
    DisconnectWatch w = ctx.pipeline().get(DisconnectWatch.class);
    if (w != null) {
      w.holding = true;
      ctx.channel().read();
    }
  }

  /** After auto-read is back on: passes on the held requests, in order, until one starts another watch. */
  static void release(ChannelHandlerContext ctx) {
    DisconnectWatch w = ctx.pipeline().get(DisconnectWatch.class);
    if (w == null || !w.holding) {
      return;
    }
    w.holding = false;
    boolean passed = false;
    while (!w.holding && !w.held.isEmpty()) {
      w.self.fireChannelRead(w.held.poll());
      passed = true;
    }
    if (passed && !w.holding) {
      w.self.fireChannelReadComplete();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (holding || !held.isEmpty()) {
      held.add(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!holding) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    super.channelInactive(ctx);
  }
}
