package dev.kiln.http;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.KilnException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

// Size: over 300 lines until issue 11's one-error-model work (another branch) moves the error mapping out;
// drop this line when it lands (kiln-architecture SourceRulesTest).
/**
 * Dispatches each aggregated request to its route and writes the answer. One request per connection is in flight at a
 * time (reading pauses until the response is written), which keeps HTTP/1.1 responses in order even though inference
 * completes on other threads.
 */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("kiln.refused");

  /**
   * Bodies at least this large are handled off the event loop: decoding a JSON body of several MiB takes CPU seconds,
   * and while a loop decodes, every connection it serves (health probes included) waits.
   */
  static final int OFFLOAD_BYTES = 256 * 1024;

  private final Router router;
  private final Gate gate;
  private final Executor offload;
  private final Executor blocking;

  /** Requests whose response is not yet written; the server waits for them before stopping its loops. */
  private final AtomicInteger inFlight = new AtomicInteger();

  private final Set<ChunkedStream> streams = ConcurrentHashMap.newKeySet();

  /** Once set, every response closes its connection, so no client sends on a connection the close will cut. */
  private volatile boolean draining;

  /**
   * @param offload where requests with large bodies are handled; bounded, so their decoding memory is too
   */
  RequestHandler(Router router, Gate gate, Executor offload, Executor blocking) {
    this.router = router;
    this.blocking = blocking;
    this.gate = gate;
    this.offload = offload;
  }

  int inFlight() {
    return inFlight.get();
  }

  void drain() {
    draining = true;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (ctx.channel().hasAttr(REFUSED)) {
      return; // the connection was answered and is closing; what still arrives is dropped
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !draining;
    DecoderResult dr = req.decoderResult();
    if (!dr.isSuccess()) {
      refuse(ctx, decodeFailure(dr.cause()));
      return;
    }
    String path;
    try {
      path = new QueryStringDecoder(req.uri()).path();
    } catch (IllegalArgumentException e) { // a % not followed by two hex digits, or bytes that are not UTF-8
      refuse(ctx, HttpErrors.response(KilnException.invalid("the request path is not valid percent-encoded UTF-8")));
      return;
    }
    Optional<Router.Match> match = router.match(req.method(), path);
    if (match.isEmpty()) {
      HttpResponseStatus s =
          router.pathKnown(path) ? HttpResponseStatus.METHOD_NOT_ALLOWED : HttpResponseStatus.NOT_FOUND;
      // OpenAI clients parse their own error envelope, unknown /v1 paths included.
      ErrorStyle style = path.startsWith("/v1/") ? ErrorStyle.OPENAI : ErrorStyle.KILN;
      // With auth on, a caller without a valid key learns nothing about which paths and methods exist: 401
      // comes before 404 and 405.
      if (gate != Gate.OPEN) {
        try {
          gate.check(
              new Caller(
                  Caller.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)),
                  String.valueOf(ctx.channel().remoteAddress())),
              Permission.AUTHENTICATED,
              null);
        } catch (RuntimeException refused) {
          write(ctx, style.response(refused), keepAlive);
          return;
        }
      }
      write(
          ctx,
          style.response(
              s,
              s == HttpResponseStatus.NOT_FOUND
                  ? "no route for " + req.method() + " " + truncate(path)
                  : "method " + req.method() + " not allowed here"),
          keepAlive);
      return;
    }
    Access access = match.get().route().access();
    // The peer's address is formatted only where a gate (and its audit) will use it: not per request otherwise.
    boolean gated = gate != Gate.OPEN && access.permission() != Permission.OPEN;
    String source = gated ? String.valueOf(ctx.channel().remoteAddress()) : "";
    // Ungated: auth is off (everything), or the route is open (nothing a handler could ask about).
    RestRequest request =
        new RestRequest(
            req,
            match.get().params(),
            ctx.executor(),
            blocking,
            gate == Gate.OPEN ? Grants.all("anonymous") : Grants.none("anonymous"),
            source);
    String principal = null;
    String model = null;
    if (gated) {
      model = access.model().apply(request);
      Grants allowed;
      try {
        allowed =
            gate.check(
                new Caller(Caller.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION)), source),
                access.permission(),
                model);
      } catch (RuntimeException refused) { // a refusal, or the gate's own failure: answered like any error
        write(ctx, match.get().route().errors().response(refused), keepAlive);
        return;
      }
      principal = allowed.principal();
      request = request.by(allowed);
    }
    Router.Handler handler = match.get().route().handler();
    CompletableFuture<RestResponse> answer =
        req.content().readableBytes() >= OFFLOAD_BYTES ? offloaded(handler, request) : handle(handler, request);
    CompletableFuture<RestResponse> handled = answer; // the handler's own future, to cancel
    if (principal != null && access.permission() == Permission.INVOKE) {
      String who = principal;
      String about = model;
      long start = System.nanoTime();
      answer =
          answer.whenComplete((r, e) ->
              gate.finished(
                  who,
                  about,
                  e == null && r.status().code() < 400,
                  e == null ? r.rows() : 0,
                  System.nanoTime() - start));
    }
    ErrorStyle errors = match.get().route().errors();
    if (answer.isDone() && !isStream(answer)) {
      write(ctx, answer.handle((r, e) -> e == null ? r : errors.response(e)).join(), keepAlive);
      return;
    }
    ctx.channel().config().setAutoRead(false);
    DisconnectWatch.watch(ctx);
    // A client gone before its answer cancels the handler's future: what holds resources for it stops on that.
    GenericFutureListener<Future<? super Void>> gone = f -> handled.cancel(false);
    ctx.channel().closeFuture().addListener(gone);
    inFlight.incrementAndGet();
    answer.whenComplete((r, e) ->
        ctx.executor()
            .execute(() -> {
              ctx.channel().closeFuture().removeListener(gone);
              if (handled.isCancelled()) {
                inFlight.decrementAndGet(); // the client is gone: nothing to answer, nothing worth a log line
                return;
              }
              if (e == null && r.stream() != null) {
                inFlight.decrementAndGet(); // a stream may stay open for long; it must not hold up a drain
                stream(ctx, r, keepAlive);
                return;
              }
              write(ctx, e == null ? r : errors.response(e), keepAlive).addListener(f -> inFlight.decrementAndGet());
              resumeReading(ctx);
            }));
  }

  private static void resumeReading(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(true);
    DisconnectWatch.release(ctx);
  }

  private static CompletableFuture<RestResponse> handle(Router.Handler handler, RestRequest request) {
    try {
      return handler.handle(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs the handler on the offload pool; the body stays valid (retained) until the handler returns. */
  private CompletableFuture<RestResponse> offloaded(Router.Handler handler, RestRequest request) {
    request.http().retain();
    try {
      return CompletableFuture.supplyAsync(
              () -> {
                try {
                  return handle(handler, request);
                } finally {
                  request.http().release();
                }
              },
              offload)
          .thenCompose(f -> f);
    } catch (RejectedExecutionException stopping) {
      request.http().release();
      return CompletableFuture.failedFuture(KilnException.unavailable("the server is stopping"));
    }
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
    ChunkedStream out = new ChunkedStream(ctx, keepAlive, () -> resumeReading(ctx));
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

  private static RestResponse decodeFailure(Throwable cause) {
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

  private static String truncate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.FINE, "connection error", cause);
    boolean badEncoding =
        cause instanceof DecompressionException
            || cause instanceof DecoderException && cause.getCause() instanceof DecompressionException;
    if (badEncoding && ctx.channel().isActive()) {
      // A body that is not what its Content-Encoding says (plain text sent as gzip, corrupt deflate): the
      // request is the caller's mistake and gets an answer, not a dropped connection.
      refuse(
          ctx,
          HttpErrors.response(KilnException.invalid("the request body is not valid data for its Content-Encoding")));
      return;
    }
    ctx.close();
  }

  /**
   * Answers a request that cannot be served, once, and closes the connection after a short linger: meanwhile the rest
   * of the request is read and dropped, so a client still sending it reads the answer instead of a connection reset.
   */
  private static void refuse(ChannelHandlerContext ctx, RestResponse r) {
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
}
