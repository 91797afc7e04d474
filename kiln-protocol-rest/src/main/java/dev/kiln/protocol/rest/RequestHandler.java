package dev.kiln.protocol.rest;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Permission;
import dev.kiln.core.access.Verdict;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dispatches each aggregated request to its route and writes the answer. One request per connection is in
 * flight at a time (reading pauses until the response is written), which keeps HTTP/1.1 responses in order
 * even though inference completes on other threads.
 */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());

  private final Router router;
  private final Gate gate;
  /** Requests whose response is not yet written; the server waits for them before stopping its loops. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final java.util.Set<ChunkedStream> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Once set, every response closes its connection, so no client sends on a connection the close will cut. */
  private volatile boolean draining;

  RequestHandler(Router router, Gate gate) {
    this.router = router;
    this.gate = gate;
  }

  int inFlight() {
    return inFlight.get();
  }

  void drain() {
    draining = true;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !draining;
    DecoderResult dr = req.decoderResult();
    if (!dr.isSuccess()) {
      write(ctx, decodeFailure(dr.cause()), false);
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    Optional<Router.Match> match = router.match(req.method(), path);
    if (match.isEmpty()) {
      HttpResponseStatus s = router.pathKnown(path) ? HttpResponseStatus.METHOD_NOT_ALLOWED
          : HttpResponseStatus.NOT_FOUND;
      // OpenAI clients parse their own error envelope, unknown /v1 paths included.
      ErrorStyle style = path.startsWith("/v1/") ? ErrorStyle.OPENAI : ErrorStyle.KILN;
      write(ctx, style.response(s, s == HttpResponseStatus.NOT_FOUND ? "no route for " + req.method()
          + " " + truncate(path) : "method " + req.method() + " not allowed here"), keepAlive);
      return;
    }
    Access access = match.get().route().access();
    // The peer's address is formatted only where a gate (and its audit) will use it: not per request otherwise.
    boolean gated = gate != Gate.OPEN && access.permission() != Permission.OPEN;
    String source = gated ? String.valueOf(ctx.channel().remoteAddress()) : "";
    RestRequest request = new RestRequest(req, match.get().params(), ctx.executor(), "anonymous", source);
    String principal = null;
    String model = null;
    if (gated) {
      model = access.model().apply(request);
      Verdict verdict = gate.check(new Caller(Caller.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)),
          source), access.permission(), model);
      if (!(verdict instanceof Verdict.Allowed allowed)) {
        write(ctx, refusal(verdict, match.get().route().errors()), keepAlive);
        return;
      }
      principal = allowed.principal();
      request = request.by(principal);
    }
    CompletableFuture<RestResponse> answer;
    try {
      answer = match.get().route().handler().handle(request);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    if (principal != null && access.permission() == Permission.INVOKE) {
      String who = principal;
      String about = model;
      long start = System.nanoTime();
      answer = answer.whenComplete((r, e) -> gate.finished(who, about, e == null && r.status().code() < 400, 0,
          System.nanoTime() - start));
    }
    ErrorStyle errors = match.get().route().errors();
    if (answer.isDone() && !isStream(answer)) {
      write(ctx, answer.handle((r, e) -> e == null ? r : errors.response(e)).join(), keepAlive);
      return;
    }
    ctx.channel().config().setAutoRead(false);
    inFlight.incrementAndGet();
    answer.whenComplete((r, e) -> ctx.executor().execute(() -> {
      if (e == null && r.stream() != null) {
        inFlight.decrementAndGet(); // a stream may stay open for long; it must not hold up a drain
        stream(ctx, r, keepAlive);
        return;
      }
      write(ctx, e == null ? r : errors.response(e), keepAlive)
          .addListener(f -> inFlight.decrementAndGet());
      ctx.channel().config().setAutoRead(true);
    }));
  }

  private static boolean isStream(CompletableFuture<RestResponse> answer) {
    return !answer.isCompletedExceptionally() && answer.join().stream() != null;
  }

  /** Sends the head, then hands the connection to the stream; reading resumes once the stream is over. */
  private void stream(ChannelHandlerContext ctx, RestResponse r, boolean keepAlive) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status());
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    r.headers().forEach((k, v) -> head.headers().set(k, v));
    HttpUtil.setKeepAlive(head, keepAlive);
    ctx.writeAndFlush(head);
    ChunkedStream out = new ChunkedStream(ctx, keepAlive, () -> ctx.channel().config().setAutoRead(true));
    streams.add(out);
    out.onClose(() -> streams.remove(out));
    try {
      r.stream().start(out);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "stream failed", e);
      out.end();
    }
  }

  /** Ends every open stream (the server is stopping). */
  void endStreams() {
    streams.forEach(ChunkedStream::end);
  }

  private static ChannelFuture write(ChannelHandlerContext ctx, RestResponse r, boolean keepAlive) {
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

  /** 401 with the Bearer challenge, 403, or 429 with Retry-After, in the usual error shape. */
  private static RestResponse refusal(Verdict verdict, ErrorStyle errors) {
    return switch (verdict) {
      case Verdict.Unauthenticated u -> withHeader(errors.response(HttpResponseStatus.UNAUTHORIZED, u.reason()),
          "www-authenticate", "Bearer realm=\"kiln\"");
      case Verdict.Denied d -> errors.response(HttpResponseStatus.FORBIDDEN, d.reason());
      case Verdict.Limited l -> withHeader(errors.response(HttpResponseStatus.TOO_MANY_REQUESTS, l.reason()),
          "retry-after", Long.toString(l.retryAfterSeconds()));
      case Verdict.Allowed a -> throw new IllegalArgumentException("not a refusal");
    };
  }

  private static RestResponse withHeader(RestResponse r, String name, String value) {
    java.util.Map<String, String> h = new java.util.HashMap<>(r.headers());
    h.put(name, value);
    return new RestResponse(r.status(), r.contentType(), r.body(), h, r.stream());
  }

  private static RestResponse decodeFailure(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpErrors.response(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpErrors.response(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
    }
    if (cause instanceof TooLongFrameException) {
      return HttpErrors.response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large");
    }
    return HttpErrors.response(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
  }

  private static String truncate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.FINE, "connection error", cause);
    ctx.close();
  }
}
