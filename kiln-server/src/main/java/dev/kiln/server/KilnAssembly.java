package dev.kiln.server;

import dev.kiln.console.ConsoleService;
import dev.kiln.core.access.Gate;
import dev.kiln.core.engine.Engine;
import dev.kiln.core.llm.LanguageEngine;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.llm.TokenUsage;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.metrics.RecentTraffic;
import dev.kiln.core.repository.CompositeCatalog;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.AliasResolver;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.govern.http.KeysRestService;
import dev.kiln.govern.http.RegistryRestService;
import dev.kiln.govern.http.SessionRestService;
import dev.kiln.http.HttpServer;
import dev.kiln.http.MetricsService;
import dev.kiln.http.OpenApiService;
import dev.kiln.http.RecentTrafficService;
import dev.kiln.http.RestService;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.protocol.openai.OpenAiService;
import dev.kiln.protocol.rest.KServeV1Service;
import dev.kiln.protocol.rest.OipRestService;
import dev.kiln.protocol.rest.PredictService;
import dev.kiln.training.data.DatasetKeys;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.FileDatasetKeys;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.djl.DjlTrainingEngine;
import dev.kiln.training.engine.TrainingEngine;
import dev.kiln.training.export.TrainedColumnPolicies;
import dev.kiln.training.http.TrainingRestService;
import dev.kiln.training.job.Deployer;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.JobEvents;
import dev.kiln.training.job.JobRunner;
import dev.kiln.training.job.JobStore;
import dev.kiln.training.job.RetentionSweep;
import dev.kiln.training.job.TrainingJobWork;
import dev.kiln.training.job.TrainingService;
import dev.kiln.training.store.JdbcDatasetKeys;
import dev.kiln.training.store.JdbcDatasetStore;
import dev.kiln.training.store.JdbcSweepStore;
import dev.kiln.training.sweep.FileSweepStore;
import dev.kiln.training.sweep.SweepService;
import dev.kiln.training.sweep.SweepStore;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

// Size: the one composition root; each step is a few lines of plain wiring, in the order the parts depend on.
/**
 * Builds a server's parts in dependency order: metrics, governance, the catalog and the inference core (with the
 * registry's aliases), language models, deployments, training, then the HTTP and gRPC listeners. Plain wiring: every
 * decision about serving lives in the parts. If a step fails, what the earlier steps started is closed, in reverse
 * order, before the failure is thrown.
 */
final class KilnAssembly {
  private static final Logger LOG = Logger.getLogger(KilnAssembly.class.getName());

  private final KilnConfig config;
  private final Clock clock;

  /** What has been started so far; closed in reverse if a later step fails. Lives only while assembling. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  private KilnAssembly(KilnConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** The started parts of a server for {@code config}, governance counting by {@code clock}. */
  static KilnParts assemble(KilnConfig config, Clock clock) throws Exception {
    KilnAssembly assembly = new KilnAssembly(config, clock);
    try {
      return assembly.build();
    } catch (Exception | Error e) {
      assembly.closeStarted();
      throw e;
    }
  }

  private KilnParts build() throws Exception {
    PrometheusMeterRegistry meters = meters();
    ExecutorService management = Executors.newVirtualThreadPerTaskExecutor();
    started.push(management::shutdownNow);
    Optional<Governance> governance = config.governance().map(g -> started(Governance.open(g, meters, clock)));
    List<Engine> engines = List.of(new OnnxEngine());
    LanguageEngine llama =
        LanguageEngines.of(
            config.llm(),
            governance.map(g -> g.scratch.folder("llm-process")),
            governance.map(g -> g.scratch.folder("llm")));
    // One scan of the model folder: tensor models for the core, language models (GGUF) for LanguageModels.
    ModelRepository folder = new ModelRepository(config.modelRepository(), engines, Set.of(llama.modelFileName()));
    // Tokens are charged on the gate's usage path, as requests are, by the language models themselves.
    LanguageModels languageModels =
        started(
            new LanguageModels(
                folder::languageModels,
                llama,
                config.llm().settings(config.core().drainTimeout()),
                governance.<TokenUsage>map(g -> g.gate::tokens).orElse(TokenUsage.NONE),
                meters));
    // The core reports the language models as its own: repository index, readiness, load and unload.
    DatasetKeys keys = datasetKeys(governance);
    InferenceCore core = core(governance, engines, folder, languageModels, meters, keys);
    Optional<LanguageModelStaging> staging =
        governance.map(g -> started(new LanguageModelStaging(g.scratch.folder("llm"), g.registry, languageModels)));
    staging.ifPresent(LanguageModelStaging::start);
    Optional<RegistryDeployments> deployments =
        governance.map(g -> new RegistryDeployments(g.registry, core, staging.orElseThrow()::serve));
    // Last of the listeners: from here on, changes made through other replicas are served here too.
    deployments.ifPresent(d -> governance.get().changes.listen(started(new ReplicaChanges(d::follow))).start());
    Deployer deployer =
        deployments.<Deployer>map(d -> d).orElseGet(() -> new RepositoryDeployer(config.modelRepository(), core));
    Optional<KilnParts.Training> training = config.training().map(t -> training(t, deployer, governance, keys));
    Optional<BatchScoring> scoring =
        training.flatMap(t ->
            governance.map(g -> started(BatchScoring.start(config.scoring(), core, g, t.service(), t.datasets()))));
    Gate gate = governance.map(g -> g.gate).orElse(Gate.OPEN);
    // This replica's recent traffic, for the console's overview; forgets models no longer served.
    RecentTraffic traffic = started(new RecentTraffic(meters, () -> Set.copyOf(core.readyModels()))).start();
    List<RestService> services =
        services(core, management, meters, traffic, languageModels, gate, governance, deployments, training, scoring);
    Duration drain = config.core().drainTimeout();
    HttpServer http = new HttpServer(config.http(), services, gate).start();
    started.push(() -> http.close(drain));
    GrpcServer grpc = GrpcServer.start(core, config.grpc(), gate);
    started.push(() -> grpc.stop(drain));
    return new KilnParts(
        meters, traffic, management, governance, core, languageModels, staging, training, scoring, http, grpc);
  }

  /** The server's meter registry, with the JVM's memory, thread and processor meters. */
  private PrometheusMeterRegistry meters() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    started.push(meters::close);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    return meters;
  }

  /** The inference core over the repository, and over the registry first when there is one. */
  private InferenceCore core(
      Optional<Governance> governance,
      List<Engine> engines,
      ModelRepository folder,
      LanguageModels languageModels,
      PrometheusMeterRegistry meters,
      DatasetKeys keys) {
    ModelCatalog catalog = folder;
    if (governance.isPresent()) {
      // Registry models first: a name in both comes from the registry.
      catalog = new CompositeCatalog(List.of(governance.get().registry, catalog));
    }
    AliasResolver aliases = governance.<AliasResolver>map(g -> g.registry::resolve).orElse(AliasResolver.NONE);
    boolean control = config.modelControl() != ModelControl.NONE;
    InferenceCore core =
        started(
            new InferenceCore(
                catalog,
                engines,
                config.engine(),
                new InferenceMetrics(meters),
                // A model trained on hashed or masked columns takes raw values: the core applies its dataset's policy.
                config.core().withModelControl(control).withColumnPolicies(new TrainedColumnPolicies(keys)),
                aliases,
                languageModels));
    core.start();
    return core;
  }

  /**
   * The HTTP routes in the order the server has always added them; governance and training add theirs, then OpenAPI.
   */
  private List<RestService> services(
      InferenceCore core,
      ExecutorService management,
      PrometheusMeterRegistry meters,
      RecentTraffic traffic,
      LanguageModels languageModels,
      Gate gate,
      Optional<Governance> governance,
      Optional<RegistryDeployments> deployments,
      Optional<KilnParts.Training> training,
      Optional<BatchScoring> scoring) {
    List<RestService> services =
        new ArrayList<>(
            List.of(
                new OipRestService(core, management, config.http()),
                new PredictService(core, config.defaultModel(), config.http()),
                new MetricsService(meters),
                new OpenAiService(languageModels, config.llm().json())));
    services.add(new RecentTrafficService(core, traffic, clock));
    governance.ifPresent(g -> {
      services.add(new KeysRestService(g.keys, g.stores.usage(), g.usage::flush, g.audit));
      services.add(
          gate == Gate.OPEN
              ? SessionRestService.withoutAuth()
              : SessionRestService.governed(g.keys, g.sessions, g.audit, config.http().tls().isPresent()));
      services.add(new RegistryRestService(g.registry, deployments.orElseThrow()));
    });
    if (governance.isEmpty()) {
      services.add(SessionRestService.withoutAuth()); // the console asks whether to sign in
    }
    training.ifPresent(t -> services.add(t.api()));
    scoring.ifPresent(s -> services.add(s.api()));
    services.add(new ConsoleService());
    // Last: the document describes the routes of the services above (those present in this server).
    services.add(new OpenApiService(List.copyOf(services)));
    // After the document: KServe V1's explain is an inference route, not Kiln's API. Added last so HttpFuzzTest's
    // seeded mutations of every earlier route stay the ones it has always sent.
    services.add(new KServeV1Service(core, management, config.http()));
    return services;
  }

  /** The training service over the data directory; its engine (libtorch) loads with the first job. */
  /**
   * The keys of datasets' hashed columns: sealed in the artifact store when governed, an owner-only file per name
   * without a database; none without either (uploads and models that hash a column are then refused).
   */
  private DatasetKeys datasetKeys(Optional<Governance> governance) {
    return governance
        .<DatasetKeys>map(g -> new JdbcDatasetKeys(g.stores.database(), g.artifacts, clock))
        .or(() -> config.training().map(t -> new FileDatasetKeys(t.dataDir().resolve("dataset-keys"))))
        .orElse(DatasetKeys.none());
  }

  private KilnParts.Training training(
      TrainingConfig t, Deployer deployer, Optional<Governance> governance, DatasetKeys keys) {
    Optional<DatabaseJobs> shared = governance.map(g -> started(DatabaseJobs.open(t, g)));
    JobStore jobs =
        shared.<JobStore>map(DatabaseJobs::store).orElseGet(() -> new FileJobStore(t.dataDir().resolve("jobs")));
    DatasetStore datasets =
        governance
            .map(g -> datasets(t, g))
            .orElseGet(() -> new FileDatasetStore(t.dataDir(), t.datasetLimits(), t.archiveLimits()));
    JobEvents events = new JobEvents();
    TrainingEngine engine = new LazyTrainingEngine(() -> new DjlTrainingEngine(t.engineCache(), t.threads()));
    Duration beat = t.lease().dividedBy(3);
    JobRunner runner =
        new JobRunner(jobs, new TrainingJobWork(datasets, jobs, engine), events, t.concurrency(), t.lease(), beat);
    TrainingService training = new TrainingService(datasets, jobs, runner, events, deployer, t.exactLimits(), keys);
    SweepService sweeps =
        new SweepService(
            training,
            jobs,
            governance
                .<SweepStore>map(g -> new JdbcSweepStore(g.stores.database()))
                .orElseGet(() -> new FileSweepStore(t.dataDir().resolve("sweeps"))),
            t.sweepMaxTrials());
    runner.start();
    started.push(runner);
    // Retention lives in the database (the file stores keep none); every replica sweeps, each version goes once.
    governance.ifPresent(g -> started.push(new RetentionSweep(datasets, jobs, clock).start(t.retentionInterval())));
    TrainingRestService api =
        started(
            governance
                .map(g -> new TrainingRestService(training, sweeps, g.audit))
                .orElseGet(() -> new TrainingRestService(training, sweeps)));
    return new KilnParts.Training(training, runner, api, datasets, shared.<AutoCloseable>map(s -> s).orElse(() -> {}));
  }

  /**
   * With a database, datasets are rows in it and artifacts in the store, seen by every replica; those a file-layout
   * Kiln left under {@code <data>/datasets} are imported first (once). Without one ({@code --no-database}), files.
   */
  private static DatasetStore datasets(TrainingConfig t, Governance g) {
    JdbcDatasetStore store =
        new JdbcDatasetStore(
            g.stores.database(), g.artifacts, g.scratch.folder("datasets"), t.datasetLimits(), t.archiveLimits());
    store.importLegacy(t.dataDir());
    return store;
  }

  private <T extends AutoCloseable> T started(T part) {
    started.push(part);
    return part;
  }

  private void closeStarted() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception | Error e) {
        LOG.log(Level.WARNING, "could not close a part of a server that failed to start", e);
      }
    }
  }
}
