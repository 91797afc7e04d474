package dev.kiln.server;

import dev.kiln.core.access.Gate;
import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.llm.TokenUsage;
import dev.kiln.core.repository.CompositeCatalog;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.http.HttpServer;
import dev.kiln.http.MetricsService;
import dev.kiln.protocol.rest.OipRestService;
import dev.kiln.protocol.openai.OpenAiService;
import dev.kiln.govern.http.KeysRestService;
import dev.kiln.protocol.rest.PredictService;
import dev.kiln.govern.http.RegistryRestService;
import dev.kiln.http.RestService;
import dev.kiln.training.http.TrainingRestService;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.djl.DjlTrainingEngine;
import dev.kiln.training.engine.TrainingEngine;
import dev.kiln.training.job.Deployer;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.JobEvents;
import dev.kiln.training.job.JobRunner;
import dev.kiln.training.job.JobStore;
import dev.kiln.training.job.TrainingJobWork;
import dev.kiln.training.job.TrainingService;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A running Kiln server: the inference core over the model repository, the ONNX engine, and the HTTP and gRPC
 * listeners. {@link #start} is the one composition seam; {@code kiln serve}, the demo and the tests all use it.
 *
 * <p>{@link #close()} shuts down gracefully: readiness turns false at once on REST and gRPC and new requests are
 * refused with 503/UNAVAILABLE while the listeners still answer, requests in flight finish (up to the drain
 * timeout), open ModelStreamInfer streams get their responses and end with UNAVAILABLE, then everything stops.
 */
public final class Kiln implements AutoCloseable {
  public static final String VERSION = "0.1.0";
  private static final Logger LOG = Logger.getLogger(Kiln.class.getName());

  private final KilnConfig config;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ExecutorService management = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kiln-poll")
          .stackSize(START_STACK_BYTES).factory());
  private InferenceCore core;
  private HttpServer http;
  private GrpcServer grpc;
  private JobRunner runner;
  private Governance governance;
  private LanguageModels languageModels;
  private TrainingService training;

  /** What governance counts by: rate-limit windows, quota days, key expiry, usage days, audit times. */
  private final Clock clock;

  private Kiln(KilnConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Loads every model and opens both listeners; throws if a port cannot be bound. */
  public static Kiln start(KilnConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /** {@link #start(KilnConfig)} with governance on {@code clock} (tests step it across rate windows). */
  public static Kiln start(KilnConfig config, Clock clock) throws Exception {
    Kiln k = new Kiln(config, clock);
    try {
      k.openOnLargeStack();
    } catch (Exception | Error e) {
      k.close();
      throw e;
    }
    return k;
  }

  /**
   * Native stack of the thread that starts the server and polls the repository. ONNX Runtime's first session
   * needed more than the 1 MB a JVM's main thread has by default on Linux x64: a server started from {@code main}
   * died of SIGSEGV, without a crash log, in about half the starts on a loaded 2-core machine (RateLimitCrashTest's
   * child; {@code -Xss8m} cured it). Start-up runs on that long-lived thread, so it never depends on how the
   * caller's thread was made, and no thread dies right after start (the JDK 25 bulk thread-CPU query crashed on a
   * thread that had just exited, in the load bench).
   */
  private static final long START_STACK_BYTES = 16L << 20;

  private void openOnLargeStack() throws Exception {
    try {
      poller.submit(() -> {
        open();
        return null;
      }).get();
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

  private void open() throws Exception {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    List<Engine> engines = List.of(new OnnxEngine());
    boolean control = config.modelControl() != ModelControl.NONE;
    // Context length and slots are LanguageModels' to pass at load; the threads are fixed here.
    LlamaEngine llama = new LlamaEngine(new LlamaOptions(0, 1, config.llm().threads()));
    // One scan of the model folder: tensor models for the core, language models (GGUF) for LanguageModels.
    ModelRepository folder = new ModelRepository(config.modelRepository(), engines, Set.of(llama.modelFileName()));
    ModelCatalog catalog = folder;
    if (config.governance().isPresent()) {
      governance = Governance.open(config.governance().get(), registry, clock);
      // Registry models first: a name in both comes from the registry.
      catalog = new CompositeCatalog(List.of(governance.registry, catalog));
    }
    core = new InferenceCore(catalog, engines, config.engine(), new InferenceMetrics(registry),
        config.core().withModelControl(control));
    if (governance != null) {
      core.aliases(governance.registry::resolve);
    }
    core.start();
    List<RestService> services = new ArrayList<>(List.of(
        new OipRestService(core, VERSION, management, config.http()),
        new PredictService(core, config.defaultModel(), config.http()),
        new MetricsService(registry)));
    // Tokens are charged on the gate's usage path, as requests are, by the language models themselves.
    languageModels = new LanguageModels(folder::languageModels, llama,
        config.llm().settings(config.core().drainTimeout()),
        governance == null ? TokenUsage.NONE : governance.gate::tokens, registry);
    core.servedBeside(languageModels); // in the repository index, readiness, load and unload
    services.add(new OpenAiService(languageModels));
    if (governance != null) {
      emptyLlmCache();
      for (List<VersionRecord> versions : governance.registry.languageModelVersions().values()) {
        for (VersionRecord v : versions) { // newest first: the newest that loads serves
          try {
            serveLanguageModel(v);
            break;
          } catch (RuntimeException e) {
            // A version that does not load (pushed before Kiln checked, or damaged since) never stops the server.
            languageModels.failed(v.model(), v.version(), e);
          }
        }
      }
    }
    if (governance != null) {
      services.add(new KeysRestService(governance.keys, governance.stores.usage(), governance.usage::flush,
          governance.audit));
      services.add(new RegistryRestService(governance.registry, pushedVersions(), this::registryChanged));
    }
    config.training().ifPresent(t -> services.add(new TrainingRestService(startTraining(t),
        governance == null ? null : governance.audit)));
    Gate gate = governance == null ? Gate.OPEN : governance.gate;
    http = new HttpServer(config.http(), services, gate).start();
    grpc = GrpcServer.start(core, config.grpc(), gate);
    if (config.modelControl() == ModelControl.POLL) {
      long ms = config.pollInterval().toMillis();
      poller.scheduleWithFixedDelay(core::poll, ms, ms, TimeUnit.MILLISECONDS);
    }
    LOG.info(() -> "kiln " + VERSION + " serving on " + (config.http().tls().isPresent() ? "https " : "http ")
        + config.http().host() + ":" + httpPort() + ", grpc" + (config.grpc().tls().isPresent() ? " (tls) " : " ")
        + config.grpc().host() + ":" + grpcPort());
  }

  /**
   * Serves what the registry now holds for {@code model}: loads new versions, drops deleted ones.
   *
   * @throws KilnException INVALID_ARGUMENT when a version of it fails to load (the caller undoes the push)
   */
  /** How a pushed or deployed registry version is loaded before the registry confirms it. */
  private PushedVersions pushedVersions() {
    return new PushedVersions(governance.registry, core, this::serveLanguageModel);
  }

  private void registryChanged(String model) {
    Optional<VersionRecord> llm = governance.registry.languageModels().stream()
        .filter(v -> v.model().equals(model)).findFirst();
    if (llm.isPresent()) {
      serveLanguageModel(llm.get());
      return;
    }
    if (governance.registry.read(model).isPresent()) {
      core.publish(model);
    } else {
      core.poll(); // the model is gone from the registry: poll drops what no catalog holds
    }
  }

  /** The API keys, when the server has a database; for tests and tools that make keys directly. */
  public dev.kiln.govern.auth.ApiKeys apiKeys() {
    return governance == null ? null : governance.keys;
  }

  /**
   * Serves a GGUF version from the registry. llama.cpp loads only from a file path, so the verified plaintext is
   * written to {@code <data>/llm-cache/<sha256>.gguf} (owner-only) for as long as the server runs: GGUF models are
   * encrypted at rest in the artifact store, but not while served. The cache is emptied at start and stop.
   */
  private void serveLanguageModel(VersionRecord v) {
    Path file = null;
    boolean staged = false;
    try {
      file = llmCache().resolve(v.sha256() + ".gguf");
      if (!Files.exists(file)) {
        Path tmp = Files.createTempFile(llmCache(), ".gguf-", ".part",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, governance.registry.contents(v));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        staged = true;
      }
      languageModels.serve(v.model(), v.version(), file);
    } catch (IOException e) {
      throw new KilnException(dev.kiln.core.error.ErrorKind.INTERNAL, "cannot stage language model " + v.model(), e);
    } catch (RuntimeException e) {
      if (staged) {
        deleteQuietly(file); // a copy no model serves is not left decrypted on disk
      }
      throw e instanceof ModelLoadException ? KilnException.invalid(e.getMessage()) : e;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warning("could not delete a language-model cache file: " + e.getMessage());
    }
  }

  private Path llmCache() throws IOException {
    Path dir = config.governance().orElseThrow().dataDir().resolve("llm-cache");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return dir;
  }

  private void emptyLlmCache() {
    try (var files = Files.list(llmCache())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      LOG.warning("could not empty the language-model cache: " + e.getMessage());
    }
  }

  /** The admin token created on this first start with auth on (print it once), or null. */
  public String bootstrapToken() {
    return governance == null ? null : governance.bootstrapToken;
  }

  /** The training service over the data directory; its engine (libtorch) loads with the first job. */
  private TrainingService startTraining(TrainingConfig t) {
    JobStore jobs = new FileJobStore(t.dataDir().resolve("jobs"));
    DatasetStore datasets = new FileDatasetStore(t.dataDir(), t.datasetLimits(), t.archiveLimits());
    JobEvents events = new JobEvents();
    TrainingEngine engine = new LazyTrainingEngine(() -> new DjlTrainingEngine(t.engineCache(), t.threads()));
    Duration beat = t.lease().dividedBy(3);
    runner = new JobRunner(jobs, new TrainingJobWork(datasets, jobs, engine), events, t.concurrency(), t.lease(),
        beat);
    Deployer deployer = governance != null
        ? new RegistryDeployer(governance.registry, pushedVersions(), this::registryChanged)
        : new RepositoryDeployer(config.modelRepository(), core);
    training = new TrainingService(datasets, jobs, runner, events, deployer);
    runner.start();
    return training;
  }

  /** The training service, or null when the server was started without one. */
  public TrainingService training() {
    return training;
  }

  public int httpPort() {
    return http.port();
  }

  public int grpcPort() {
    return grpc.port();
  }

  public InferenceCore core() {
    return core;
  }

  public HttpServer http() {
    return http;
  }

  public GrpcServer grpc() {
    return grpc;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    poller.shutdownNow();
    if (runner != null) {
      runner.close(); // running jobs stop at their next step and go back to the queue
    }
    // Both listeners stay open until the core has drained, so probes read "not ready" (503, NOT_SERVING) and new
    // work is refused with 503/UNAVAILABLE instead of a refused connection. Stopping the gRPC server first, as
    // before, waited the whole drain timeout for any open stream while readiness still said 200 (issue 10).
    if (http != null) {
      http.drain(); // responses close their connections from now on
    }
    if (grpc != null) {
      grpc.drain(); // health NOT_SERVING, new streams refused
    }
    // Language models drain beside the core, in the same window, while their streams are still open.
    Thread llmDrain = languageModels == null ? null
        : Thread.ofPlatform().name("llm-drain").start(languageModels::close);
    if (core != null) {
      core.close(); // readiness false at once, new requests refused, waits for those in flight
    }
    if (llmDrain != null) {
      try {
        llmDrain.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (grpc != null) {
      grpc.stop(config.core().drainTimeout()); // ends open streams after their responses, then the listener
    }
    if (http != null) {
      http.close(config.core().drainTimeout()); // writes the responses of requests that just finished
    }
    management.shutdownNow();
    if (governance != null) {
      emptyLlmCache();
    }
    if (governance != null) {
      governance.close();
    }
    registry.close();
  }
}
