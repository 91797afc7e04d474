package dev.kiln.cli;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.tls.TlsSettings;
import dev.kiln.http.HttpSettings;
import dev.kiln.protocol.grpc.GrpcSettings;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.ModelControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Mixin ServeLimitOptions limits;

  @Mixin ServeTlsOptions tlsOptions;

  @Mixin ServeTrainingOptions training;
  @Mixin ServeScoringOptions scoring;

  @Mixin ServeGovernanceOptions governance;

  @Mixin ServeLlmOptions llm;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    HttpSettings http = limits.http(host, httpPort);
    GrpcSettings grpc = limits.grpc(host, grpcPort);
    Optional<TlsSettings> tls = tls();
    governance.check(spec.commandLine());
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
            limits.core(),
            Optional.ofNullable(defaultModel),
            training.config(dataDir),
            governance.config(dataDir),
            llm.config(),
            scoring.settings());
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
                    stopped.await(limits.drainTimeout.toSeconds() * 3 + 30, TimeUnit.SECONDS);
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

  /** The TLS options as settings; empty without --tls-cert. */
  Optional<TlsSettings> tls() {
    return tlsOptions.settings(spec.commandLine());
  }
}
