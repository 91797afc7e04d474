package dev.kiln.server;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.tls.TlsSettings;
import dev.kiln.http.HttpSettings;
import dev.kiln.protocol.grpc.GrpcSettings;
import dev.kiln.scoring.ScoringSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a server is started with, loaded once and passed down.
 *
 * @param modelRepository folder of models ({@code <model>/<version>/model.onnx})
 * @param modelControl whether the API may load and unload models, and whether the folder is polled
 * @param pollInterval how often the repository is rescanned under {@link ModelControl#POLL}
 * @param http the HTTP listener
 * @param grpc the gRPC listener
 * @param engine options every engine reads
 * @param core request timeout and drain timeout
 * @param defaultModel the model {@code POST /predict} calls when none is named
 * @param training the training service's settings, or empty to serve only
 * @param governance the database, keys, registry and audit; empty for none (a plain model folder, no auth)
 * @param llm how GGUF language models in the repository are served (the OpenAI-compatible API)
 * @param scoring how this replica runs batch-scoring jobs (with training and a database)
 */
public record KilnConfig(
    Path modelRepository,
    ModelControl modelControl,
    Duration pollInterval,
    HttpSettings http,
    GrpcSettings grpc,
    EngineOptions engine,
    CoreSettings core,
    Optional<String> defaultModel,
    Optional<TrainingConfig> training,
    Optional<GovernanceConfig> governance,
    LlmConfig llm,
    ScoringSettings scoring) {
  public KilnConfig {
    Objects.requireNonNull(modelRepository, "modelRepository");
    Objects.requireNonNull(modelControl, "modelControl");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(grpc, "grpc");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(core, "core");
    Objects.requireNonNull(defaultModel, "defaultModel");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(governance, "governance");
    Objects.requireNonNull(llm, "llm");
    Objects.requireNonNull(scoring, "scoring");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive");
    }
  }

  /** A configuration with the default scoring settings ({@link ScoringSettings#defaults}). */
  public KilnConfig(
      Path modelRepository,
      ModelControl modelControl,
      Duration pollInterval,
      HttpSettings http,
      GrpcSettings grpc,
      EngineOptions engine,
      CoreSettings core,
      Optional<String> defaultModel,
      Optional<TrainingConfig> training,
      Optional<GovernanceConfig> governance,
      LlmConfig llm) {
    this(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        governance,
        llm,
        ScoringSettings.defaults());
  }

  /** Defaults for a repository, on loopback with the given ports (0 = any free port). */
  public static KilnConfig defaults(Path repository, int httpPort, int grpcPort) {
    return new KilnConfig(
        repository,
        ModelControl.NONE,
        Duration.ofSeconds(10),
        HttpSettings.defaults("127.0.0.1", httpPort),
        GrpcSettings.of("127.0.0.1", grpcPort),
        EngineOptions.defaults(),
        CoreSettings.defaults(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        LlmConfig.defaults(),
        ScoringSettings.defaults());
  }

  public KilnConfig withModelControl(ModelControl control) {
    return new KilnConfig(
        modelRepository,
        control,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        governance,
        llm,
        scoring);
  }

  public KilnConfig withHttp(HttpSettings h) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        h,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        governance,
        llm,
        scoring);
  }

  public KilnConfig withGrpc(GrpcSettings g) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        g,
        engine,
        core,
        defaultModel,
        training,
        governance,
        llm,
        scoring);
  }

  /** Both listeners over TLS from the same files. */
  public KilnConfig withTls(TlsSettings tls) {
    return withHttp(http.withTls(tls)).withGrpc(grpc.withTls(tls));
  }

  public KilnConfig withCore(CoreSettings c) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        c,
        defaultModel,
        training,
        governance,
        llm,
        scoring);
  }

  public KilnConfig withTraining(TrainingConfig t) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        Optional.of(t),
        governance,
        llm,
        scoring);
  }

  public KilnConfig withGovernance(GovernanceConfig g) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        Optional.of(g),
        llm,
        scoring);
  }

  public KilnConfig withLlm(LlmConfig l) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        governance,
        l,
        scoring);
  }

  public KilnConfig withPollInterval(Duration d) {
    return new KilnConfig(
        modelRepository, modelControl, d, http, grpc, engine, core, defaultModel, training, governance, llm, scoring);
  }

  public KilnConfig withScoring(ScoringSettings s) {
    return new KilnConfig(
        modelRepository,
        modelControl,
        pollInterval,
        http,
        grpc,
        engine,
        core,
        defaultModel,
        training,
        governance,
        llm,
        s);
  }
}
