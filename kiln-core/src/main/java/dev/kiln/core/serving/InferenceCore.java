package dev.kiln.core.serving;

import dev.kiln.core.access.ModelRefs;
import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.repository.ModelName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * The one entry point protocol adapters call. It owns the served models, resolves names and versions, and keeps the
 * server's readiness. It holds no state beyond what the model repository on disk determines, so a second replica over
 * the same repository serves the same models.
 */
public final class InferenceCore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(InferenceCore.class.getName());

  private final Targets targets;
  private final ModelsBeside beside;
  private final CoreSettings settings;
  private final ServedModels models;
  private volatile boolean started;
  private volatile boolean stopping;

  public InferenceCore(
      ModelCatalog repository,
      List<Engine> engines,
      EngineOptions engineOptions,
      InferenceMetrics metrics,
      CoreSettings settings) {
    this(repository, engines, engineOptions, metrics, settings, AliasResolver.NONE);
  }

  /**
   * @param aliases resolves {@code model@alias} references (the registry provides it)
   */
  public InferenceCore(
      ModelCatalog repository,
      List<Engine> engines,
      EngineOptions engineOptions,
      InferenceMetrics metrics,
      CoreSettings settings,
      AliasResolver aliases) {
    this(repository, engines, engineOptions, metrics, settings, aliases, ModelsBeside.NONE);
  }

  /**
   * @param aliases resolves {@code model@alias} references (the registry provides it)
   * @param beside models served through another door (language models) that the core reports as its own: in the
   *     repository index with their state and failure reason, in readiness and metadata, and loaded and unloaded by the
   *     repository operations
   */
  public InferenceCore(
      ModelCatalog repository,
      List<Engine> engines,
      EngineOptions engineOptions,
      InferenceMetrics metrics,
      CoreSettings settings,
      AliasResolver aliases,
      ModelsBeside beside) {
    this.beside = Objects.requireNonNull(beside, "beside");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.models =
        new ServedModels(
            Objects.requireNonNull(repository, "repository"),
            List.copyOf(engines),
            Objects.requireNonNull(engineOptions, "engineOptions"),
            Objects.requireNonNull(metrics, "metrics"),
            settings);
    this.targets = new Targets(Objects.requireNonNull(aliases, "aliases"), models);
  }

  /** Loads every model in the repository; a model that fails is recorded with its reason, the rest serve. */
  public void start() {
    models.loadAll();
    started = true;
    LOG.info(() -> "models ready: " + index(true).size() + " version(s) of " + models.all().size() + " model(s)");
  }

  /** Whether the server process is up. */
  /** The limits this core was built with. */
  public CoreSettings settings() {
    return settings;
  }

  public boolean live() {
    return true;
  }

  /** Whether the server takes inference requests: started and not draining. */
  public boolean ready() {
    return started && !stopping;
  }

  /**
   * Runs one request on the target. Failures complete the future with a {@link KilnException} (possibly wrapped in a
   * CompletionException).
   */
  public CompletableFuture<InferenceResponse> infer(Target target, InferenceRequest request) {
    if (stopping) {
      return CompletableFuture.failedFuture(KilnException.unavailable("server is shutting down"));
    }
    long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
    // A reload swaps a fresh version in and then drains the old one; a request that resolved the old one just
    // before the swap finds it closed to new work, and resolving again finds its replacement (or fails). Only a
    // reload finishing over and over faster than this loop turns could keep it going, hence the deadline.
    while (System.nanoTime() - deadline < 0) {
      ServedVersion v;
      try {
        v = targets.resolve(target);
      } catch (KilnException e) {
        return CompletableFuture.failedFuture(e);
      }
      if (v.acquire()) {
        return v.inferAcquired(request, deadline);
      }
    }
    return CompletableFuture.failedFuture(KilnException.unavailable("model '" + target.model() + "' is not ready"));
  }

  public ModelMetadata metadata(Target target) {
    if (isBeside(target.model())) {
      return beside.metadata(target.model(), Targets.versionString(target));
    }
    String model = target.model();
    ServedModel m = models.find(model);
    if (target.version().isPresent()) {
      ServedVersion v = targets.resolve(target);
      return new ModelMetadata(model, List.of(Long.toString(v.version())), m.platform(), v.signature());
    }
    ServedVersion latest = targets.resolve(target);
    List<String> versions = new ArrayList<>();
    m.states()
        .forEach((v, state) -> {
          if (state == ModelState.READY) {
            versions.add(Long.toString(v));
          }
        });
    return new ModelMetadata(model, versions, m.platform(), latest.signature());
  }

  /**
   * Whether the model (or that version) can serve now. Never throws. A model that exists but has no ready version is
   * UNAVAILABLE (503) elsewhere; a name never seen is NOT_FOUND (404).
   */
  public boolean modelReady(Target target) {
    if (isBeside(target.model())) {
      return beside.ready(target.model(), Targets.versionString(target));
    }
    try {
      targets.resolve(target); // ready when resolved; asking its state again could meet it just replaced
      return true;
    } catch (KilnException e) {
      return false;
    }
  }

  public ModelConfig config(String model) {
    return models.find(ModelRefs.name(model)).config();
  }

  /** Whether {@code model} names a model served beside the core and none of the core's own. */
  private boolean isBeside(String model) {
    return !models.serves(model) && beside.has(model);
  }

  /** The target a caller names by reference ({@code model} or {@code model@alias}) alone. */
  public Target target(String ref) {
    return target(ref, "");
  }

  /**
   * The target a caller names with a protocol's strings: a reference ({@code model} or {@code model@alias}) and a
   * version, empty for the latest.
   *
   * @throws KilnException NOT_FOUND for a version that is not a number or an unknown alias, INVALID_ARGUMENT for both
   *     an alias and a version
   */
  public Target target(String ref, String version) {
    return targets.target(ref, version);
  }

  /** Statistics of every loaded version of every model. */
  public List<Statistics> statistics() {
    List<Statistics> out = new ArrayList<>();
    models.all().forEach(m -> m.loaded().forEach(v -> out.add(v.statistics())));
    return out;
  }

  /** Statistics of every loaded version of the target's model, or of its one version. */
  public List<Statistics> statistics(Target target) {
    ServedModel m = models.find(target.model());
    List<Statistics> out = new ArrayList<>();
    for (ServedVersion v : m.loaded()) {
      if (target.version().isEmpty() || target.version().get() == v.version()) {
        out.add(v.statistics());
      }
    }
    if (target.version().isPresent() && out.isEmpty()) {
      throw KilnException.notFound("model '" + target.model() + "' has no version " + target.version().get());
    }
    return out;
  }

  /**
   * Every model in the repository and every loaded version, with state, and the language models that failed to load;
   * {@code readyOnly} keeps READY rows.
   */
  public List<RepositoryEntry> index(boolean readyOnly) {
    List<RepositoryEntry> out = new ArrayList<>(models.index(readyOnly));
    Set<String> names = models.names();
    beside.index().stream()
        .filter(e -> !names.contains(e.name()))
        .filter(e -> !readyOnly || e.state() == ModelState.READY)
        .forEach(out::add);
    out.sort(Comparator.comparing(RepositoryEntry::name)); // stable: versions stay in order
    return out;
  }

  /** Names of the models with at least one ready version, sorted. */
  public List<String> readyModels() {
    return index(true).stream().map(RepositoryEntry::name).filter(models::serves).distinct().toList();
  }

  /**
   * Loads (or reloads) a model from the repository: every version its policy selects is loaded afresh and swapped in;
   * versions it replaces finish their in-flight requests first.
   *
   * @throws KilnException NOT_FOUND when the repository has no such model, INVALID_ARGUMENT when it fails to load,
   *     FAILED_PRECONDITION when model control is off
   */
  public void load(String model) {
    requireModelControl();
    if (isBeside(model) || (!models.names().contains(model) && ModelName.isValid(model))) {
      beside.load(model); // NOT_FOUND when no language model has that name either
      return;
    }
    publish(model);
  }

  /**
   * Loads a model the server itself has just written into the repository (a deployed training job). Unlike {@link
   * #load}, this is not an API client reaching into the repository, so it works under every model-control mode.
   */
  public void publish(String model) {
    models.publish(model);
  }

  /**
   * Brings one model in line with the catalog without reloading what serves: a version gone from the catalog (an undone
   * registry push) is dropped, with its failure. Never throws for a model that fails to load.
   */
  public void refresh(String model) {
    models.refresh(model);
  }

  /** Unloads every version of a model after its in-flight requests finish. */
  public void unload(String model) {
    requireModelControl();
    if (isBeside(model)) {
      beside.unload(model);
      return;
    }
    models.unload(model);
  }

  /** Picks up new models and versions, and drops removed ones; models unloaded by request stay unloaded. */
  public void poll() {
    models.poll();
  }

  /** Stops taking requests, lets in-flight ones finish (up to the drain timeout), and frees every model. */
  @Override
  public void close() {
    stopping = true;
    models.unloadAll();
  }

  private void requireModelControl() {
    if (!settings.modelControl()) {
      throw new KilnException(
          ErrorKind.FAILED_PRECONDITION,
          "explicit model load/unload is disabled (start the server with --model-control explicit)");
    }
  }
}
