package dev.kiln.cli;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.tls.TlsSettings;
import dev.kiln.core.tls.TlsSettings.ClientAuth;
import dev.kiln.http.HttpSettings;
import dev.kiln.protocol.grpc.GrpcSettings;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.LlmConfig;
import dev.kiln.server.ModelControl;
import dev.kiln.server.TrainingConfig;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.ZipArchive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code kiln serve}: serves a model repository until interrupted, then drains. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve every model in a model repository over HTTP (Open Inference Protocol REST, /predict, "
            + "/metrics) and gRPC.")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--models",
      defaultValue = "models",
      description =
          "Model repository folder: "
              + "<model>/<version>/model.onnx, optional <model>/config.json (default: ${DEFAULT-VALUE}).")
  Path models;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Interface to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--http-port", defaultValue = "8000", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--grpc-port", defaultValue = "8001", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(
      names = "--model-control",
      defaultValue = "none",
      description =
          "none: serve what is there at start; "
              + "explicit: also allow the load/unload API; poll: also rescan the folder (default: ${DEFAULT-VALUE}).")
  ModelControl modelControl;

  @Option(
      names = "--poll-interval",
      defaultValue = "10s",
      description = "Rescan interval with --model-control " + "poll (default: ${DEFAULT-VALUE}).")
  Duration pollInterval;

  @Option(
      names = "--max-request-bytes",
      defaultValue = "67108864",
      description = "Largest HTTP request body, " + "after decompression; larger gets 413 (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(
      names = "--grpc-max-message-bytes",
      defaultValue = "67108864",
      description = "Largest inbound gRPC " + "message; larger gets RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int grpcMaxMessageBytes;

  @Option(
      names = "--request-timeout",
      defaultValue = "30s",
      description =
          "A request still queued after this " + "long fails with 504 / DEADLINE_EXCEEDED (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(
      names = "--drain-timeout",
      defaultValue = "30s",
      description =
          "On shutdown or unload, how long " + "requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Threads one model execution may use; 0 lets " + "the engine decide (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--cuda", description = "Run ONNX models on the GPU (needs ONNX Runtime's GPU build).")
  boolean cuda;

  @Option(names = "--default-model", description = "Model that POST /predict calls when none is named.")
  String defaultModel;

  @Option(
      names = "--data",
      defaultValue = "kiln-data",
      description =
          "Directory of datasets and training jobs "
              + "(default: ${DEFAULT-VALUE}); replicas sharing it share one job queue.")
  Path dataDir;

  @Option(names = "--no-training", description = "Serve only: no datasets or training API.")
  boolean noTraining;

  @Option(
      names = "--training-jobs",
      defaultValue = "1",
      description = "Training jobs run at once by this " + "process (default: ${DEFAULT-VALUE}).")
  int trainingJobs;

  @Option(
      names = "--training-threads",
      defaultValue = "1",
      description = "libtorch threads per training job " + "(default: ${DEFAULT-VALUE}).")
  int trainingThreads;

  @Option(
      names = "--dataset-max-rows",
      defaultValue = "5000000",
      description = "Rows (or images, texts) a " + "dataset may have; more gets 413 (default: ${DEFAULT-VALUE}).")
  long datasetMaxRows;

  @Option(
      names = "--dataset-max-columns",
      defaultValue = "10000",
      description = "Columns a CSV dataset may have " + "(default: ${DEFAULT-VALUE}).")
  int datasetMaxColumns;

  @Option(
      names = "--dataset-max-cells",
      defaultValue = "20000000",
      description =
          "Values a dataset may hold in "
              + "memory: rows x columns, or images x channels x height x width (default: ${DEFAULT-VALUE}).")
  long datasetMaxCells;

  @Option(
      names = "--dataset-max-bytes",
      defaultValue = "1073741824",
      description =
          "Bytes a dataset file may "
              + "inflate to (gzip), and a zipped folder may unpack to (default: ${DEFAULT-VALUE}).")
  long datasetMaxBytes;

  @Option(
      names = "--dataset-max-image-pixels",
      defaultValue = "25000000",
      description =
          "Width x height of any "
              + "one dataset image, read from its header before decoding (default: ${DEFAULT-VALUE}).")
  long datasetMaxImagePixels;

  @Option(
      names = "--llm-context",
      defaultValue = "2048",
      description = "Tokens per language-model slot, prompt " + "and completion together (default: ${DEFAULT-VALUE}).")
  int llmContext;

  @Option(
      names = "--llm-slots",
      defaultValue = "4",
      description =
          "Generations a language model decodes together; " + "more wait for a slot (default: ${DEFAULT-VALUE}).")
  int llmSlots;

  @Option(
      names = "--llm-threads",
      defaultValue = "0",
      description =
          "llama.cpp CPU threads per language model; 0 " + "lets llama.cpp choose (default: ${DEFAULT-VALUE}).")
  int llmThreads;

  @Option(
      names = "--llm-queue",
      defaultValue = "64",
      description =
          "Requests a language model holds beyond its "
              + "slots; one more is answered 503 at once (default: ${DEFAULT-VALUE}).")
  int llmQueue;

  @Option(
      names = "--llm-deadline",
      defaultValue = "30s",
      description =
          "How long a language-model request may "
              + "wait for a slot; one that waited longer is answered 504 and not generated for (default: ${DEFAULT-VALUE}).")
  Duration llmDeadline;

  @Option(
      names = "--auth",
      description =
          "Require an API key on every route and RPC but the health probes; a "
              + "first start prints an admin key once.")
  boolean auth;

  @Option(
      names = "--no-database",
      description = "No metadata database: no registry, keys or audit (a model " + "folder only, as before).")
  boolean noDatabase;

  @Option(
      names = "--database",
      description =
          "JDBC URL of the metadata database (default: SQLite in the data "
              + "directory); e.g. jdbc:postgresql://db:5432/kiln")
  String databaseUrl;

  @Option(names = "--database-user", description = "Database user (password from $KILN_DATABASE_PASSWORD).")
  String databaseUser;

  @Option(
      names = "--master-key",
      description =
          "Master key file for model artifacts at rest (default: "
              + "$KILN_MASTER_KEY; without either, artifacts are stored unencrypted). Make one with: kiln master-key new FILE")
  Path masterKey;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description =
          "Serve HTTPS and gRPC over TLS with this " + "certificate chain (server certificate first); needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Private key of --tls-cert, unencrypted " + "PKCS#8 PEM (-----BEGIN PRIVATE KEY-----).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Ask clients for certificates signed by " + "these CAs (mutual TLS).")
  Path tlsClientCa;

  @Option(
      names = "--tls-client-auth",
      paramLabel = "MODE",
      description =
          "With --tls-client-ca: require "
              + "(default) or optional; optional still refuses a certificate the CAs did not sign.")
  ClientAuth tlsClientAuth;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    HttpSettings http = HttpSettings.defaults(host, httpPort).withMaxRequestBytes(maxRequestBytes);
    GrpcSettings grpc = GrpcSettings.of(host, grpcPort).withMaxInboundMessageBytes(grpcMaxMessageBytes);
    Optional<TlsSettings> tls = tls();
    if (tls.isPresent()) {
      http = http.withTls(tls.get());
      grpc = grpc.withTls(tls.get());
    }
    KilnConfig config =
        new KilnConfig(
            models,
            modelControl,
            pollInterval,
            http,
            grpc,
            new EngineOptions(threads, cuda, 0),
            new CoreSettings(requestTimeout, drainTimeout),
            Optional.ofNullable(defaultModel),
            noTraining
                ? Optional.empty()
                : Optional.of(
                    TrainingConfig.defaults(dataDir)
                        .withConcurrency(trainingJobs, trainingThreads)
                        .withDatasetLimits(
                            datasetLimits(),
                            new ZipArchive.Limits(ZipArchive.Limits.defaults().maxEntries(), datasetMaxBytes))),
            noDatabase ? Optional.empty() : Optional.of(governance()),
            new LlmConfig(llmContext, llmSlots, llmThreads, llmQueue, llmDeadline));
    if (auth && noDatabase) {
      throw new ParameterException(
          spec.commandLine(), "--auth needs the database (keys live there); drop --no-database");
    }
    Kiln kiln = Kiln.start(config);
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    onSigterm(stopRequested::countDown);
    // Other ways out (Ctrl-C, SIGHUP, System.exit) run the hooks: drain on this thread, then let the JVM go on.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopRequested.countDown();
                  try {
                    stopped.await(drainTimeout.toSeconds() * 3 + 30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "kiln-shutdown"));
    System.out.printf(
        "kiln %s: %s on %s:%d, gRPC%s on %s:%d, models from %s%n",
        Kiln.VERSION,
        tls.isPresent() ? "HTTPS" : "HTTP",
        host,
        kiln.httpPort(),
        tls.isPresent() ? " (TLS)" : "",
        host,
        kiln.grpcPort(),
        models.toAbsolutePath());
    kiln.bootstrapToken()
        .ifPresent(token -> {
          System.out.println("auth is on; the first admin key (shown once, store it now):");
          System.out.println("  " + token);
        });
    kiln.core()
        .index(false)
        .forEach(e -> System.out.printf("  %-24s %-4s %-12s %s%n", e.name(), e.version(), e.state(), e.reason()));
    stopRequested.await();
    System.err.println("kiln: draining requests in flight and stopping");
    try {
      kiln.close();
    } finally {
      stopped.countDown();
    }
    return 0;
  }

  /**
   * SIGTERM (what Kubernetes, systemd and docker stop send) is a request to stop, not a failure: handled here, the
   * server drains and {@code kiln serve} exits 0. Left to the JVM it runs the shutdown hooks and exits 143, which
   * supervisors report as a crash. Where the signal cannot be handled, the shutdown hook still drains.
   */
  @SuppressWarnings("removal")
  private static void onSigterm(Runnable stop) {
    try {
      Signal.handle(new Signal("TERM"), signal -> stop.run());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      System.err.println("kiln: SIGTERM cannot be handled here (" + e.getMessage() + "); stopping exits 143");
    }
  }

  /** The governance settings from the flags; the database password comes from {@code KILN_DATABASE_PASSWORD}. */
  private GovernanceConfig governance() {
    GovernanceConfig g = GovernanceConfig.defaults(dataDir).withAuth(auth);
    if (databaseUrl != null) {
      g =
          g.withDatabase(
              new GovernanceConfig.Database(
                  databaseUrl,
                  Optional.ofNullable(databaseUser),
                  Optional.ofNullable(System.getenv("KILN_DATABASE_PASSWORD"))));
    }
    return masterKey == null ? g : g.withMasterKey(masterKey);
  }

  /** The TLS options as settings; empty without --tls-cert. */
  Optional<TlsSettings> tls() {
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null || tlsClientAuth != null) {
        throw new ParameterException(
            spec.commandLine(), "--tls-client-ca and --tls-client-auth need --tls-cert " + "and --tls-key");
      }
      return Optional.empty();
    }
    if (tlsCert == null || tlsKey == null) {
      throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    TlsSettings tls = TlsSettings.of(tlsCert, tlsKey);
    if (tlsClientCa != null) {
      ClientAuth auth = tlsClientAuth == null ? ClientAuth.REQUIRE : tlsClientAuth;
      if (auth == ClientAuth.NONE) {
        throw new ParameterException(spec.commandLine(), "--tls-client-auth must be require or optional");
      }
      return Optional.of(tls.withClientAuth(tlsClientCa, auth));
    }
    if (tlsClientAuth != null) {
      throw new ParameterException(spec.commandLine(), "--tls-client-auth needs --tls-client-ca");
    }
    return Optional.of(tls);
  }

  private ReadLimits datasetLimits() {
    ReadLimits d = ReadLimits.defaults();
    return new ReadLimits(
        datasetMaxRows, datasetMaxColumns, datasetMaxCells, datasetMaxBytes, datasetMaxImagePixels, d.maxFieldChars());
  }
}
