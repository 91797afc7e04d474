package dev.kiln.http;

import dev.kiln.core.access.Gate;
import dev.kiln.core.error.KilnException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener: Netty's HTTP/1.1 codec with bounded request line, headers and body, gzip/deflate in both
 * directions, and the routes contributed by each {@link RestService}; HTTPS when the settings carry TLS files.
 */
public final class HttpServer implements AutoCloseable {
  private static final int MAX_INITIAL_LINE = 8192;

  private final HttpSettings settings;
  private final Router router = new Router();
  private final RequestHandler handler;
  private final ExecutorService offload;

  /** Handlers' blocking work (files, the database): virtual threads, ended when the server closes. */
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel channel;

  public HttpServer(HttpSettings settings, List<RestService> services) {
    this(settings, services, Gate.OPEN);
  }

  /**
   * @param gate decides every request whose route is not {@link Access#OPEN}
   */
  public HttpServer(HttpSettings settings, List<RestService> services, Gate gate) {
    this.settings = Objects.requireNonNull(settings, "settings");
    services.forEach(s -> s.addRoutes(router));
    // As many decoding threads as event loops: heavy bodies never hold up a loop, and at most this many are
    // decoded at once, which bounds their memory (README, "Memory per request").
    int decoders = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
    this.offload =
        Executors.newFixedThreadPool(decoders, Thread.ofPlatform().name("kiln-http-decode-", 0).daemon(true).factory());
    this.handler = new RequestHandler(router, gate, offload, blocking);
  }

  /**
   * Binds the port; returns once the server accepts connections.
   *
   * @throws dev.kiln.core.tls.TlsFileException when a TLS file is missing or unusable; nothing is bound then
   */
  public HttpServer start() throws InterruptedException {
    SslContext tls = settings.tls().map(HttpTls::context).orElse(null);
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // Netty's own default is two loops per core; one per core measured 11-50% faster (BENCHMARKS.md).
    int loops = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
    workers = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, settings.maxHeaderBytes(), 64 * 1024))
                        .addLast(SecurityHeaders.INSTANCE)
                        .addLast(
                            new EventStreamAwareCompressor(
                                1024, StandardCompressionOptions.gzip(), StandardCompressionOptions.deflate()))
                        // Decompression happens before aggregation, so the size limit applies to the inflated body.
                        .addLast(new HttpContentDecompressor(0))
                        .addLast(new BoundedAggregator(settings.maxRequestBytes()))
                        .addLast(new DisconnectWatch())
                        .addLast(handler);
                  }
                });
    channel = b.bind(settings.host(), settings.port()).sync().channel();
    return this;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public List<Router.Route> routes() {
    return router.routes();
  }

  /**
   * Keeps serving, but every response from now on closes its connection ({@code Connection: close}): a client then
   * opens a new connection for its next request instead of sending on a keep-alive one just as {@link #close(Duration)}
   * cuts it, where the request would be lost without a response.
   */
  public void drain() {
    handler.drain();
  }

  /** Stops accepting connections; open ones keep being served until {@link #close()}. */
  public void stopAccepting() {
    if (channel != null) {
      channel.close().awaitUninterruptibly();
    }
  }

  /** Stops accepting, waits up to {@code drain} for responses still being computed, then stops the loops. */
  public void close(Duration drain) {
    stopAccepting();
    handler.endStreams();
    long until = System.nanoTime() + drain.toNanos();
    while (handler.inFlight() > 0 && System.nanoTime() < until) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    offload.shutdownNow();
    blocking.shutdownNow();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /**
   * Answers an oversized body with the protocol's JSON error and 413, then closes the connection after a short linger:
   * the aggregator discards the rest of the body meanwhile, so a client still sending it reads the 413 instead of a
   * connection reset.
   */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final int max;

    BoundedAggregator(int max) {
      super(max);
      this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      RestResponse r =
          HttpErrors.response(KilnException.tooLarge("request body larger than the limit of " + max + " bytes"));
      FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.body());
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().readableBytes());
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(resp).addListener(f -> ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS));
    }
  }
}
