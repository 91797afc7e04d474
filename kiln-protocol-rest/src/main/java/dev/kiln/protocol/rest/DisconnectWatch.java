package dev.kiln.protocol.rest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Notices a client that goes away while its answer is computed. Reading is paused meanwhile (one request per
 * connection at a time keeps HTTP/1.1 answers in order), and NIO only sees a closed connection by reading it; so
 * while a watch is on, one read is armed and whatever it brings (the start of a pipelined next request) is held
 * here, ahead of the HTTP decoder, until {@link #release}. An end of stream closes the channel as usual, and the
 * request handler cancels the pending answer: a language-model generation then stops and frees its slot. A client
 * that half-closes its side while it waits counts as gone, as Netty's default {@code ALLOW_HALF_CLOSURE=false} has it.
 *
 * <p>One instance per connection; all methods run on the connection's event loop.
 */
final class DisconnectWatch extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private ChannelHandlerContext self;
  private boolean holding;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    self = ctx;
  }

  /** With auto-read off: arms one read, and holds what it brings until {@link #release}. */
  static void watch(ChannelHandlerContext ctx) {
    DisconnectWatch w = ctx.pipeline().get(DisconnectWatch.class);
    if (w != null) {
      w.holding = true;
      ctx.channel().read();
    }
  }

  /** After auto-read is back on: passes on what was held, in order, unless that starts another watch. */
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
