package dev.kiln.http;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.KilnException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dispatches each aggregated request to its route and writes the answer. One request per connection is in flight at a
 * time (reading pauses until the response is written), which keeps HTTP/1.1 responses in order even though inference
 * completes on other threads.
 */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());

  /**
   * Bodies at least this large are handled off the event loop: decoding a JSON body of several MiB takes CPU seconds,
   * and while a loop decodes, every connection it serves (health probes included) waits.
   */
  static final int OFFLOAD_BYTES = 256 * 1024;

  private static final String CSRF_REFUSAL =
      "a request signed in by the session cookie that changes something needs header "
          + SessionCookie.CSRF_HEADER
          + " with the session's csrf_token (from POST or GET /api/v1/session)";

  private final Router router;
  private final Unrouted unrouted;
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
    this.unrouted = new Unrouted(router, gate);
    this.blocking = blocking;
    this.gate = gate;
    this.offload = offload;
  }

  /** Who calls: the bearer key, else the session cookie (a bearer header wins, and then the cookie is not read). */
  static Caller caller(HttpRequest req, String source) {
    String bearer = Caller.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    String session = bearer == null ? SessionCookie.from(req.headers()).orElse(null) : null;
    return new Caller(bearer, session, source);
  }

  int inFlight() {
    return inFlight.get();
  }

  void drain() {
    draining = true;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (ResponseWriter.refused(ctx)) {
      return; // the connection was answered and is closing; what still arrives is dropped
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !draining;
    DecoderResult dr = req.decoderResult();
    if (!dr.isSuccess()) {
      ResponseWriter.refuse(ctx, ResponseWriter.decodeFailure(dr.cause()));
      return;
    }
    String path;
    try {
      path = new QueryStringDecoder(req.uri()).path();
    } catch (IllegalArgumentException e) { // a % not followed by two hex digits, or bytes that are not UTF-8
      ResponseWriter.refuse(
          ctx, HttpErrors.response(KilnException.invalid("the request path is not valid percent-encoded UTF-8")));
      return;
    }
    Optional<Router.Match> match = router.match(req.method(), path);
    if (match.isEmpty()) {
      ResponseWriter.write(ctx, unrouted.answer(req, path, ctx.channel().remoteAddress()), keepAlive);
      return;
    }
    if (CrossSiteRequests.forged(req)) {
      ResponseWriter.write(
          ctx, match.get().route().errors().response(KilnException.denied(CrossSiteRequests.REFUSAL)), keepAlive);
      return;
    }
    Access access = match.get().route().access();
    // The peer's address is formatted only where a gate (and its audit) will use it: not per request otherwise. Open
    // routes other than GETs (the health probes) may audit too: the console's sign-in records refusals.
    boolean gated = gate != Gate.OPEN && access.permission() != Permission.OPEN;
    boolean audited = gated || gate != Gate.OPEN && !HttpMethod.GET.equals(req.method());
    String source = audited ? String.valueOf(ctx.channel().remoteAddress()) : "";
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
      Caller caller = caller(req, source);
      if (caller.session() != null
          && SessionCookie.changes(req.method())
          && !SessionCookie.csrfMatches(caller.session(), req.headers().get(SessionCookie.CSRF_HEADER))) {
        // Before the gate: a forged request is refused without counting against the key's limits.
        ResponseWriter.write(ctx, match.get().route().errors().response(KilnException.denied(CSRF_REFUSAL)), keepAlive);
        return;
      }
      model = access.model().apply(request);
      Grants allowed;
      try {
        allowed = gate.check(caller, access.permission(), model);
      } catch (RuntimeException refused) { // a refusal, or the gate's own failure: answered like any error
        ResponseWriter.write(ctx, match.get().route().errors().response(refused), keepAlive);
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
      ResponseWriter.write(ctx, answer.handle((r, e) -> e == null ? r : errors.response(e)).join(), keepAlive);
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
              ResponseWriter.write(ctx, e == null ? r : errors.response(e), keepAlive)
                  .addListener(f -> inFlight.decrementAndGet());
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

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.FINE, "connection error", cause);
    boolean badEncoding =
        cause instanceof DecompressionException
            || cause instanceof DecoderException && cause.getCause() instanceof DecompressionException;
    if (badEncoding && ctx.channel().isActive()) {
      // A body that is not what its Content-Encoding says (plain text sent as gzip, corrupt deflate): the
      // request is the caller's mistake and gets an answer, not a dropped connection.
      ResponseWriter.refuse(
          ctx,
          HttpErrors.response(KilnException.invalid("the request body is not valid data for its Content-Encoding")));
      return;
    }
    ctx.close();
  }
}
