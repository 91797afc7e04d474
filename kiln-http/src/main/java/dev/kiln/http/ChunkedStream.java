package dev.kiln.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A streamed response body written as HTTP/1.1 chunks on one connection. */
final class ChunkedStream implements ResponseStream {
  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final Runnable finished;
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final List<Runnable> closers = new CopyOnWriteArrayList<>();

  /**
   * @param finished runs once when the stream is over, by either side (resumes reading the connection)
   */
  ChunkedStream(ChannelHandlerContext ctx, boolean keepAlive, Runnable finished) {
    this.ctx = ctx;
    this.keepAlive = keepAlive;
    this.finished = finished;
    ctx.channel().closeFuture().addListener(f -> closed());
  }

  @Override
  public boolean write(String text) {
    if (!open.get()) {
      return false;
    }
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    return true;
  }

  @Override
  public boolean send(ByteBuf bytes) {
    if (!open.get()) {
      bytes.release();
      return false;
    }
    ctx.writeAndFlush(new DefaultHttpContent(bytes)).awaitUninterruptibly();
    return open.get();
  }

  @Override
  public void abort() {
    ctx.close();
  }

  @Override
  public void end() {
    if (!open.compareAndSet(true, false)) {
      return;
    }
    var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
    f.addListener(x -> ctx.executor().execute(finished));
    closers.forEach(Runnable::run);
  }

  @Override
  public boolean isOpen() {
    return open.get();
  }

  @Override
  public void onClose(Runnable action) {
    closers.add(action);
    if (!open.get()) {
      action.run();
    }
  }

  private void closed() {
    if (open.compareAndSet(true, false)) {
      closers.forEach(Runnable::run);
      finished.run();
    }
  }
}
