package dev.kiln.server;

import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.metrics.RecentTraffic;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.http.HttpServer;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.http.TrainingRestService;
import dev.kiln.training.job.JobRunner;
import dev.kiln.training.job.TrainingService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * What {@link KilnAssembly} built for one server, each part started; {@link Kiln} only holds them and stops them in
 * order.
 *
 * @param traffic samples the meters for the console's recent traffic; stopped before the meters close
 * @param management runs the OIP management calls (load, unload) off the event loop
 * @param staging present with governance: the registry's language models staged for llama.cpp
 * @param training present when the server trains
 * @param scoring present when the server trains and has a database
 */
record KilnParts(
    PrometheusMeterRegistry meters,
    RecentTraffic traffic,
    ExecutorService management,
    Optional<Governance> governance,
    InferenceCore core,
    LanguageModels languageModels,
    Optional<LanguageModelStaging> staging,
    Optional<Training> training,
    Optional<BatchScoring> scoring,
    HttpServer http,
    GrpcServer grpc) {

  /**
   * The training side: the service, the runner whose threads run the jobs, and its HTTP API.
   *
   * @param datasets the stored datasets, which batch scoring reads too
   * @param workspace deletes this process's working folder for job files once the runner has stopped (nothing to do
   *     with {@code --no-database}, where the jobs' folders are the store)
   */
  record Training(
      TrainingService service,
      JobRunner runner,
      TrainingRestService api,
      DatasetStore datasets,
      AutoCloseable workspace) {
    Training {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(runner, "runner");
      Objects.requireNonNull(api, "api");
      Objects.requireNonNull(datasets, "datasets");
      Objects.requireNonNull(workspace, "workspace");
    }
  }

  KilnParts {
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(traffic, "traffic");
    Objects.requireNonNull(management, "management");
    Objects.requireNonNull(governance, "governance");
    Objects.requireNonNull(core, "core");
    Objects.requireNonNull(languageModels, "languageModels");
    Objects.requireNonNull(staging, "staging");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(scoring, "scoring");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(grpc, "grpc");
  }
}
