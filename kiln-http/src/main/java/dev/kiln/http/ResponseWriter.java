package dev.kiln.http;

import dev.kiln.core.error.KilnException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * Writes whole responses onto a connection: an answer to a served request, and the one answer to a request that cannot
 * be served at all (undecodable, or a body not matching its encoding), after which the connection closes.
 */
final class ResponseWriter {
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("kiln.refused");

  private ResponseWriter() {}

  /** Writes the response, and closes the connection after it unless it is kept alive. */
  static ChannelFuture write(ChannelHandlerContext ctx, RestResponse r, boolean keepAlive) {
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.body());
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().readableBytes());
    r.headers().forEach((k, v) -> resp.headers().set(k, v));
    HttpUtil.setKeepAlive(resp, keepAlive);
    ChannelFuture f = ctx.writeAndFlush(resp);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
    return f;
  }

  /** Whether the connection was refused: it is closing, and what still arrives on it is dropped. */
  static boolean refused(ChannelHandlerContext ctx) {
    return ctx.channel().hasAttr(REFUSED);
  }

  /**
   * Answers a request that cannot be served, once, and closes the connection after a short linger: meanwhile the rest
   * of the request is read and dropped, so a client still sending it reads the answer instead of a connection reset.
   */
  static void refuse(ChannelHandlerContext ctx, RestResponse r) {
    if (ctx.channel().attr(REFUSED).getAndSet(Boolean.TRUE) != null) {
      return;
    }
    ctx.channel().config().setAutoRead(true);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.body());
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().readableBytes());
    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(resp).addListener(f -> ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS));
  }

  /** The answer to a request the HTTP decoder could not read. */
  static RestResponse decodeFailure(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpErrors.response(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpErrors.response(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
    }
    if (cause instanceof TooLongFrameException) {
      return HttpErrors.response(KilnException.tooLarge("request too large"));
    }
    return HttpErrors.response(KilnException.invalid("malformed HTTP request"));
  }
}
