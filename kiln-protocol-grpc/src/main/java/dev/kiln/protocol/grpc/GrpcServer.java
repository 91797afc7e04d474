package dev.kiln.protocol.grpc;

import dev.kiln.core.access.Gate;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The gRPC listener: {@link GrpcInferenceService} and {@code grpc.health.v1.Health} on one port.
 *
 * <p>Health answers SERVING while {@link InferenceCore#ready()} is true and NOT_SERVING otherwise (for the overall
 * server, service name {@code ""}, and for {@code inference.GRPCInferenceService}). The core has no readiness callback,
 * so the status is refreshed at the start of every health call; a {@code Watch} stream therefore sees a change when the
 * next health call arrives, which is what Kubernetes probes (one {@code Check} per period) need.
 *
 * <p>{@link #start(ServerBuilder, InferenceCore, int)} is the wiring seam: production passes a Netty builder, tests an
 * in-process one, and both get the same services, limits and interceptors.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GrpcServer.class.getName());

  /** How long {@link #close()} lets in-flight calls finish before cancelling them. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService blocking;
  private final OpenStreams streams;
  private final AtomicBoolean draining = new AtomicBoolean();

  private GrpcServer(Server server, HealthStatusManager health, ExecutorService blocking, OpenStreams streams) {
    this.server = server;
    this.health = health;
    this.blocking = blocking;
    this.streams = streams;
  }

  /**
   * Binds {@code settings.host():settings.port()} with Netty and starts serving, over TLS when the settings carry TLS
   * files.
   *
   * @throws UncheckedIOException when the address cannot be bound
   * @throws dev.kiln.core.tls.TlsFileException when a TLS file is missing or unusable; nothing is bound then
   */
  public static GrpcServer start(InferenceCore core, GrpcSettings settings) {
    return start(core, settings, Gate.OPEN);
  }

  /**
   * @param gate decides every call but the health and liveness probes
   */
  public static GrpcServer start(InferenceCore core, GrpcSettings settings, Gate gate) {
    Objects.requireNonNull(settings, "settings");
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()));
    settings.tls().ifPresent(t -> builder.sslContext(GrpcTls.context(t)));
    return start(builder, core, settings.maxInboundMessageBytes(), gate);
  }

  /**
   * Adds Kiln's services and limits to any transport's builder, builds and starts it.
   *
   * @param maxInboundMessageBytes largest request message; enforced by transports that frame messages (Netty), not by
   *     the in-process transport, which passes message objects without serialising them
   */
  public static GrpcServer start(ServerBuilder<?> builder, InferenceCore core, int maxInboundMessageBytes) {
    return start(builder, core, maxInboundMessageBytes, Gate.OPEN);
  }

  public static GrpcServer start(ServerBuilder<?> builder, InferenceCore core, int maxInboundMessageBytes, Gate gate) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(core, "core");
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    // Every handler is non-blocking (inference completes from the core's workers; model loading runs on
    // `blocking`), so calls run on the transport's threads: no hop through an executor per call. Measured in
    // BENCHMARKS.md.
    MessageGuard guard = new MessageGuard();
    OpenStreams streams = new OpenStreams();
    Server server =
        builder
            .directExecutor()
            .maxInboundMessageSize(maxInboundMessageBytes)
            .addService(guard.wrap(new GrpcInferenceService(core, blocking, streams).bindService()))
            .addService(
                guard.wrap(ServerInterceptors.intercept(health.getHealthService(), refreshHealth(core, health))))
            .intercept(new AccessInterceptor(gate))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("gRPC server cannot start: " + e.getMessage(), e);
    }
    update(core, health);
    LOG.info(() -> "gRPC serving on " + server.getListenSockets());
    return new GrpcServer(server, health, blocking, streams);
  }

  /** The bound TCP port (the chosen one when settings asked for 0); -1 for a transport without ports. */
  public int port() {
    return server.getPort();
  }

  /** Stops taking calls and waits up to {@link #DEFAULT_GRACE} for those in flight. */
  @Override
  public void close() {
    stop(DEFAULT_GRACE);
  }

  /**
   * First step of a drain: health reports NOT_SERVING for good (a {@code Watch} sees it at once) and new
   * ModelStreamInfer calls are refused with UNAVAILABLE. Other calls are still taken, so probes get an answer and the
   * core refuses new inference with UNAVAILABLE while it finishes what is in flight.
   */
  public void drain() {
    // Health logs a stack trace when told twice; close() and stop() both come through here.
    if (draining.compareAndSet(false, true)) {
      health.enterTerminalState();
    }
    streams.drain();
  }

  /**
   * Drains ({@link #drain()}), ends every open stream once the responses it owes are sent (UNAVAILABLE "server is
   * shutting down"), refuses new calls, waits up to {@code grace} for calls in flight, then cancels what is left.
   */
  public void stop(Duration grace) {
    drain();
    streams.endAll();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      blocking.shutdown();
    }
  }

  private static ServerInterceptor refreshHealth(InferenceCore core, HealthStatusManager health) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        update(core, health);
        return next.startCall(call, headers);
      }
    };
  }

  private static void update(InferenceCore core, HealthStatusManager health) {
    ServingStatus status = core.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
  }
}
