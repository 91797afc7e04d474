package dev.kiln.server;

import dev.kiln.core.oip.ServerIdentity;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.http.HttpServer;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.training.job.TrainingService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running Kiln server: the inference core over the model repository, the ONNX engine, and the HTTP and gRPC
 * listeners. {@link #start} is the one composition seam; {@code kiln serve}, the demo and the tests all use it. {@link
 * KilnAssembly} builds the parts; this class holds them and stops them in order.
 *
 * <p>{@link #close()} shuts down gracefully: readiness turns false at once on REST and gRPC and new requests are
 * refused with 503/UNAVAILABLE while the listeners still answer, requests in flight finish (up to the drain timeout),
 * open ModelStreamInfer streams get their responses and end with UNAVAILABLE, then everything stops.
 */
public final class Kiln implements AutoCloseable {
  public static final String VERSION = ServerIdentity.VERSION;
  private static final Logger LOG = Logger.getLogger(Kiln.class.getName());

  /**
   * Native stack of the thread that starts the server and polls the repository. ONNX Runtime's first session needed
   * more than the 1 MB a JVM's main thread has by default on Linux x64: a server started from {@code main} died of
   * SIGSEGV, without a crash log, in about half the starts on a loaded 2-core machine (RateLimitCrashTest's child;
   * {@code -Xss8m} cured it). Start-up runs on that long-lived thread, so it never depends on how the caller's thread
   * was made, and no thread dies right after start (the JDK 25 bulk thread-CPU query crashed on a thread that had just
   * exited, in the load bench).
   */
  private static final long START_STACK_BYTES = 16L << 20;

  private final KilnConfig config;

  /** Started the server (see {@link #START_STACK_BYTES}); polls the repository when the config says so. */
  private final ScheduledExecutorService poller;

  private final KilnParts parts;

  private Kiln(KilnConfig config, ScheduledExecutorService poller, KilnParts parts) {
    this.config = config;
    this.poller = poller;
    this.parts = parts;
  }

  /** Loads every model and opens both listeners; throws if a port cannot be bound. */
  public static Kiln start(KilnConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /**
   * {@link #start(KilnConfig)} with governance on {@code clock}: what it counts by (rate-limit windows, quota days, key
   * expiry, usage days, audit times); tests step it across rate windows.
   */
  public static Kiln start(KilnConfig config, Clock clock) throws Exception {
    ScheduledExecutorService poller =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kiln-poll").stackSize(START_STACK_BYTES).factory());
    try {
      Kiln kiln = new Kiln(config, poller, onLargeStack(poller, config, clock));
      if (config.modelControl() == ModelControl.POLL) {
        long ms = config.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(kiln.parts.core()::poll, ms, ms, TimeUnit.MILLISECONDS);
      }
      LOG.info(() ->
          "kiln "
              + VERSION
              + " serving on "
              + (config.http().tls().isPresent() ? "https " : "http ")
              + config.http().host()
              + ":"
              + kiln.httpPort()
              + ", grpc"
              + (config.grpc().tls().isPresent() ? " (tls) " : " ")
              + config.grpc().host()
              + ":"
              + kiln.grpcPort()
              + "; web console at "
              + (config.http().tls().isPresent() ? "https://" : "http://")
              + config.http().host()
              + ":"
              + kiln.httpPort()
              + "/console/");
      return kiln;
    } catch (Exception | Error e) {
      poller.shutdownNow();
      throw e;
    }
  }

  private static KilnParts onLargeStack(ScheduledExecutorService poller, KilnConfig config, Clock clock)
      throws Exception {
    try {
      return poller.submit(() -> KilnAssembly.assemble(config, clock)).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      if (e.getCause() instanceof Error x) {
        throw x;
      }
      throw e;
    }
  }

  /** The API keys, when the server has a database; for tests and tools that make keys directly. */
  public Optional<ApiKeys> apiKeys() {
    return parts.governance().map(g -> g.keys);
  }

  /** The admin token created on this first start with auth on (print it once); empty otherwise. */
  public Optional<String> bootstrapToken() {
    return parts.governance().flatMap(g -> g.bootstrapToken);
  }

  /** The training service, when the server was started with one. */
  public Optional<TrainingService> training() {
    return parts.training().map(KilnParts.Training::service);
  }

  public int httpPort() {
    return parts.http().port();
  }

  public int grpcPort() {
    return parts.grpc().port();
  }

  public InferenceCore core() {
    return parts.core();
  }

  public HttpServer http() {
    return parts.http();
  }

  public GrpcServer grpc() {
    return parts.grpc();
  }

  public PrometheusMeterRegistry registry() {
    return parts.meters();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    // Running jobs stop at their next step and go back to the queue.
    parts.training().ifPresent(t -> t.runner().close());
    parts.scoring().ifPresent(BatchScoring::close); // running scoring jobs go back to the queue
    // Both listeners stay open until the core has drained, so probes read "not ready" (503, NOT_SERVING) and new
    // work is refused with 503/UNAVAILABLE instead of a refused connection. Stopping the gRPC server first, as
    // before, waited the whole drain timeout for any open stream while readiness still said 200 (issue 10).
    parts.http().drain(); // responses close their connections from now on
    parts.grpc().drain(); // health NOT_SERVING, new streams refused
    // Language models drain beside the core, in the same window, while their streams are still open.
    Thread llmDrain = Thread.ofPlatform().name("llm-drain").start(parts.languageModels()::close);
    parts.core().close(); // readiness false at once, new requests refused, waits for those in flight
    try {
      llmDrain.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    parts.grpc().stop(config.core().drainTimeout()); // ends open streams after their responses, then the listener
    parts.http().close(config.core().drainTimeout()); // writes the responses of requests that just finished
    parts
        .training()
        .ifPresent(t -> {
          t.api().close();
          try {
            t.workspace().close();
          } catch (Exception e) {
            LOG.log(Level.WARNING, "could not delete the training jobs' working folder", e);
          }
        });
    parts.management().shutdownNow();
    parts.staging().ifPresent(LanguageModelStaging::close);
    parts.governance().ifPresent(Governance::close);
    parts.traffic().close(); // its sampler reads the meters, which close next
    parts.meters().close();
  }
}
