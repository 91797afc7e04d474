package dev.kiln.core.serving;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.ModelName;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.repository.ModelSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The one entry point protocol adapters call. It owns the served models, resolves names and versions, and keeps
 * the server's readiness. It holds no state beyond what the model repository on disk determines, so a second
 * replica over the same repository serves the same models.
 */
public final class InferenceCore implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(InferenceCore.class.getName());

  private final ModelCatalog repository;
  private volatile AliasResolver aliases = AliasResolver.NONE;
  private volatile ModelsBeside beside = ModelsBeside.NONE;
  private final Map<String, Engine> engines = new HashMap<>();
  private final EngineOptions engineOptions;
  private final InferenceMetrics metrics;
  private final CoreSettings settings;
  private final ConcurrentHashMap<String, ServedModel> models = new ConcurrentHashMap<>();
  private final Set<String> unloadedByRequest = ConcurrentHashMap.newKeySet();
  private volatile boolean started;
  private volatile boolean stopping;

  public InferenceCore(ModelCatalog repository, List<Engine> engines, EngineOptions engineOptions,
      InferenceMetrics metrics, CoreSettings settings) {
    this.repository = Objects.requireNonNull(repository, "repository");
    engines.forEach(e -> this.engines.put(e.platform(), e));
    this.engineOptions = Objects.requireNonNull(engineOptions, "engineOptions");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Loads every model in the repository; a model that fails is recorded with its reason, the rest serve. */
  public void start() {
    for (String name : repository.names()) {
      reconcile(name, false);
    }
    started = true;
    LOG.info(() -> "models ready: " + index(true).size() + " version(s) of " + models.size() + " model(s)");
  }

  /** Whether the server process is up. */
  public boolean live() {
    return true;
  }

  /** Whether the server takes inference requests: started and not draining. */
  public boolean ready() {
    return started && !stopping;
  }

  /**
   * Runs one request on the named model. {@code version} may be null or empty for the highest ready version.
   * Failures complete the future with a {@link KilnException} (possibly wrapped in a CompletionException).
   */
  public CompletableFuture<InferenceResponse> infer(String ref, String versionOrNull, InferenceRequest request) {
    String model;
    String version;
    try {
      String[] t = target(ref, versionOrNull);
      model = t[0];
      version = t[1];
    } catch (KilnException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (stopping) {
      return CompletableFuture.failedFuture(KilnException.unavailable("server is shutting down"));
    }
    long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
    // A reload swaps a fresh version in and then drains the old one; a request that resolved the old one just
    // before the swap finds it closed to new work, and resolving again finds its replacement.
    for (int attempt = 0; attempt < 3; attempt++) {
      ServedVersion v;
      try {
        v = resolve(model, version);
      } catch (KilnException e) {
        return CompletableFuture.failedFuture(e);
      }
      if (v.acquire()) {
        return v.inferAcquired(request, deadline);
      }
    }
    return CompletableFuture.failedFuture(KilnException.unavailable("model '" + model + "' is not ready"));
  }

  public ModelMetadata metadata(String ref, String versionOrNull) {
    if (isBeside(ref)) {
      return beside.metadata(ref, versionOrNull);
    }
    String[] t = target(ref, versionOrNull);
    String model = t[0];
    String version = t[1];
    ServedModel m = find(model);
    if (version != null && !version.isEmpty()) {
      ServedVersion v = resolve(model, version);
      return new ModelMetadata(model, List.of(Long.toString(v.version())), m.platform(), v.signature());
    }
    ServedVersion latest = m.latestReady()
        .orElseThrow(() -> KilnException.unavailable("model '" + model + "' has no ready version"));
    List<String> versions = new ArrayList<>();
    for (ServedVersion v : m.loaded()) {
      if (v.state() == ModelState.READY) {
        versions.add(Long.toString(v.version()));
      }
    }
    return new ModelMetadata(model, versions, m.platform(), latest.signature());
  }

  /**
   * Whether the model (or that version) can serve now. Never throws. A model that exists but has no ready version
   * is UNAVAILABLE (503) elsewhere; a name never seen is NOT_FOUND (404).
   */
  public boolean modelReady(String ref, String version) {
    if (isBeside(ref)) {
      return beside.ready(ref, version);
    }
    try {
      String[] t = target(ref, version);
      return resolve(t[0], t[1]).state() == ModelState.READY;
    } catch (KilnException e) {
      return false;
    }
  }

  public ModelConfig config(String model) {
    return find(dev.kiln.core.access.ModelRefs.name(model)).config();
  }

  /** Lets callers name versions by alias ({@code model@alias}); the registry provides the resolver. */
  public void aliases(AliasResolver resolver) {
    this.aliases = resolver;
  }

  /**
   * Reports the models served beside the core (language models) as its own: in the repository index with their
   * state and failure reason, in readiness and metadata, and loaded and unloaded by the repository operations.
   */
  public void servedBeside(ModelsBeside models) {
    this.beside = Objects.requireNonNull(models, "models");
  }

  /** Whether {@code ref} names a model served beside the core and none of the core's own. */
  private boolean isBeside(String ref) {
    return ref != null && !models.containsKey(ref) && beside.has(ref);
  }

  /** {@code [model, version]} for a reference that may be {@code model@alias}. */
  private String[] target(String ref, String version) {
    int at = ref == null ? -1 : ref.indexOf('@');
    if (at < 0) {
      return new String[] {ref, version};
    }
    String model = ref.substring(0, at);
    String alias = ref.substring(at + 1);
    if (version != null && !version.isEmpty()) {
      throw KilnException.invalid("name a version or an alias, not both");
    }
    long v = aliases.resolve(model, alias)
        .orElseThrow(() -> KilnException.notFound("model '" + model + "' has no alias '" + alias + "'"));
    return new String[] {model, Long.toString(v)};
  }

  /** Statistics of every loaded version of {@code model}, or of all models when {@code model} is null. */
  public List<Statistics> statistics(String model, String version) {
    List<ServedModel> which = model == null || model.isEmpty()
        ? models.values().stream().sorted(Comparator.comparing(ServedModel::name)).toList()
        : List.of(find(model));
    List<Statistics> out = new ArrayList<>();
    for (ServedModel m : which) {
      for (ServedVersion v : m.loaded()) {
        if (version == null || version.isEmpty() || Long.toString(v.version()).equals(version)) {
          out.add(v.statistics());
        }
      }
    }
    if (version != null && !version.isEmpty() && out.isEmpty()) {
      throw KilnException.notFound("model '" + model + "' has no version " + version);
    }
    return out;
  }

  /**
   * Every model in the repository and every loaded version, with state, and the language models that failed to
   * load; {@code readyOnly} keeps READY rows.
   */
  public List<RepositoryEntry> index(boolean readyOnly) {
    TreeSet<String> names = new TreeSet<>(models.keySet());
    names.addAll(repository.names());
    List<RepositoryEntry> out = new ArrayList<>();
    for (String name : names) {
      ServedModel m = models.get(name);
      List<RepositoryEntry> rows = new ArrayList<>();
      if (m != null) {
        for (ServedVersion v : m.loaded()) {
          rows.add(new RepositoryEntry(name, Long.toString(v.version()), v.state(), ""));
        }
        m.failures().forEach((v, why) ->
            rows.add(new RepositoryEntry(name, Long.toString(v), ModelState.UNAVAILABLE, why)));
        if (rows.isEmpty()) {
          String why = m.modelFailure() != null ? m.modelFailure()
              : unloadedByRequest.contains(name) ? "unloaded" : "not loaded";
          rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, why));
        }
      } else {
        rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, "not loaded"));
      }
      if (m != null && m.modelFailure() != null && !m.loaded().isEmpty()) {
        rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, m.modelFailure()));
      }
      rows.sort(Comparator.comparingLong(r -> r.version().isEmpty() ? -1 : Long.parseLong(r.version())));
      for (RepositoryEntry r : rows) {
        if (!readyOnly || r.state() == ModelState.READY) {
          out.add(r);
        }
      }
    }
    beside.index().stream().filter(e -> !names.contains(e.name()))
        .filter(e -> !readyOnly || e.state() == ModelState.READY).forEach(out::add);
    out.sort(Comparator.comparing(RepositoryEntry::name)); // stable: versions stay in order
    return out;
  }

  /** Names of the models with at least one ready version, sorted. */
  public List<String> readyModels() {
    return index(true).stream().map(RepositoryEntry::name).filter(models::containsKey).distinct().toList();
  }

  /**
   * Loads (or reloads) a model from the repository: every version its policy selects is loaded afresh and
   * swapped in; versions it replaces finish their in-flight requests first.
   *
   * @throws KilnException NOT_FOUND when the repository has no such model, INVALID_ARGUMENT when it fails to
   *     load, FAILED_PRECONDITION when model control is off
   */
  public void load(String model) {
    requireModelControl();
    if (isBeside(model) || (!models.containsKey(model) && !repository.names().contains(model) && ModelName.isValid(
        model))) {
      beside.load(model); // NOT_FOUND when no language model has that name either
      return;
    }
    publish(model);
  }

  /**
   * Loads a model the server itself has just written into the repository (a deployed training job). Unlike
   * {@link #load}, this is not an API client reaching into the repository, so it works under every model-control
   * mode.
   */
  public void publish(String model) {
    ModelName.require(model);
    unloadedByRequest.remove(model);
    ServedModel m = reconcile(model, true);
    if (m == null) {
      throw KilnException.notFound("model '" + model + "' is not in the repository");
    }
    if (m.modelFailure() != null || !m.wantedReady()) {
      String why = m.modelFailure() != null ? m.modelFailure()
          : m.failures().values().stream().findFirst().orElse("no version loaded");
      throw KilnException.invalid("failed to load '" + model + "': " + why);
    }
  }

  /**
   * Brings one model in line with the catalog without reloading what serves: a version gone from the catalog
   * (an undone registry push) is dropped, with its failure. Never throws for a model that fails to load.
   */
  public void refresh(String model) {
    ModelName.require(model);
    reconcile(model, false);
  }

  /** Unloads every version of a model after its in-flight requests finish. */
  public void unload(String model) {
    requireModelControl();
    ModelName.require(model);
    ServedModel m = models.get(model);
    if (isBeside(model)) {
      beside.unload(model);
      return;
    }
    if (m == null && !repository.names().contains(model)) {
      throw KilnException.notFound("unknown model '" + model + "'");
    }
    unloadedByRequest.add(model);
    if (m != null) {
      m.unloadAll(settings);
    }
  }

  /** Picks up new models and versions, and drops removed ones; models unloaded by request stay unloaded. */
  public void poll() {
    List<String> present = repository.names();
    for (String name : present) {
      if (!unloadedByRequest.contains(name)) {
        reconcile(name, false);
      }
    }
    for (ServedModel m : List.copyOf(models.values())) {
      if (!present.contains(m.name())) {
        m.unloadAll(settings);
        models.remove(m.name());
      }
    }
  }

  /** Stops taking requests, lets in-flight ones finish (up to the drain timeout), and frees every model. */
  @Override
  public void close() {
    stopping = true;
    for (ServedModel m : models.values()) {
      m.unloadAll(settings);
    }
  }

  private ServedModel reconcile(String name, boolean reload) {
    Optional<ModelSource> source;
    ServedModel m = models.computeIfAbsent(name, ServedModel::new);
    try {
      source = repository.read(name);
    } catch (IllegalArgumentException e) {
      // A broken config.json keeps what is serving (as a broken model file does) and is reported in the index.
      m.fail(e.getMessage());
      return m;
    }
    if (source.isEmpty()) {
      models.remove(name);
      m.unloadAll(settings);
      return null;
    }
    m.reconcile(source.get(), engines.get(source.get().platform()), engineOptions, metrics, settings, reload);
    return m;
  }

  private void requireModelControl() {
    if (!settings.modelControl()) {
      throw new KilnException(ErrorKind.FAILED_PRECONDITION,
          "explicit model load/unload is disabled (start the server with --model-control explicit)");
    }
  }

  private ServedModel find(String model) {
    ServedModel m = model == null ? null : models.get(model);
    if (m == null) {
      throw KilnException.notFound("unknown model '" + model + "'");
    }
    return m;
  }

  private ServedVersion resolve(String model, String version) {
    ServedModel m = find(model);
    if (version == null || version.isEmpty()) {
      return m.latestReady()
          .orElseThrow(() -> KilnException.unavailable("model '" + model + "' has no ready version"));
    }
    long v;
    try {
      v = Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw KilnException.notFound("model '" + model + "' has no version '" + version + "'");
    }
    ServedVersion sv = m.version(v)
        .orElseThrow(() -> KilnException.notFound("model '" + model + "' has no version " + version));
    if (sv.state() != ModelState.READY) {
      throw KilnException.unavailable("model '" + model + "' version " + version + " is not ready");
    }
    return sv;
  }
}
