package dev.kiln.core.serving;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.repository.ModelName;
import dev.kiln.core.repository.ModelSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models the core serves and how they follow the repository: loading, reloading, unloading, polling, and the
 * repository index that reports each with its state. {@link InferenceCore} answers requests over it; this class decides
 * nothing about requests.
 */
final class ServedModels {
  private final ModelCatalog repository;
  private final Map<String, Engine> engines = new HashMap<>();
  private final EngineOptions engineOptions;
  private final InferenceMetrics metrics;
  private final CoreSettings settings;
  private final ConcurrentHashMap<String, ServedModel> models = new ConcurrentHashMap<>();
  private final Set<String> unloadedByRequest = ConcurrentHashMap.newKeySet();

  ServedModels(
      ModelCatalog repository,
      List<Engine> engines,
      EngineOptions engineOptions,
      InferenceMetrics metrics,
      CoreSettings settings) {
    this.repository = repository;
    engines.forEach(e -> this.engines.put(e.platform(), e));
    this.engineOptions = engineOptions;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** The served model called {@code model}; NOT_FOUND when there is none. */
  ServedModel find(String model) {
    ServedModel m = models.get(model);
    if (m == null) {
      throw KilnException.notFound("unknown model '" + model + "'");
    }
    return m;
  }

  /** Whether a model of that name is served here (loaded, loading, failed or unloaded by request). */
  boolean serves(String model) {
    return models.containsKey(model);
  }

  /** Every model name served here or in the repository. */
  Set<String> names() {
    TreeSet<String> names = new TreeSet<>(models.keySet());
    names.addAll(repository.names());
    return names;
  }

  /** Every served model, by name. */
  List<ServedModel> all() {
    return models.values().stream().sorted(Comparator.comparing(ServedModel::name)).toList();
  }

  /** Loads every model in the repository; a model that fails is recorded with its reason. */
  void loadAll() {
    for (String name : repository.names()) {
      reconcile(name, false);
    }
  }

  /** Loads {@code model} afresh and swaps it in; INVALID_ARGUMENT with the reason when it fails to load. */
  void publish(String model) {
    ModelName.require(model);
    unloadedByRequest.remove(model);
    ServedModel m =
        reconcile(model, true)
            .orElseThrow(() -> KilnException.notFound("model '" + model + "' is not in the repository"));
    if (m.modelFailure().isPresent() || !m.wantedReady()) {
      String why =
          m.modelFailure().orElseGet(() -> m.failures().values().stream().findFirst().orElse("no version loaded"));
      throw KilnException.invalid("failed to load '" + model + "': " + why);
    }
  }

  /** Brings {@code model} in line with the repository, keeping what serves. */
  void refresh(String model) {
    ModelName.require(model);
    reconcile(model, false);
  }

  /** Unloads every version of {@code model} after its in-flight requests; polling leaves it unloaded. */
  void unload(String model) {
    ModelName.require(model);
    ServedModel m = models.get(model);
    if (m == null && !repository.names().contains(model)) {
      throw KilnException.notFound("unknown model '" + model + "'");
    }
    unloadedByRequest.add(model);
    if (m != null) {
      m.unloadAll(settings);
    }
  }

  /** Picks up new models and versions, and drops removed ones; models unloaded by request stay unloaded. */
  void poll() {
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

  /** Unloads every model, each after its in-flight requests (up to the drain timeout). */
  void unloadAll() {
    for (ServedModel m : models.values()) {
      m.unloadAll(settings);
    }
  }

  /**
   * A row per loaded or failed version of every model in the repository, and one per model with no version to show
   * (with the reason); {@code readyOnly} keeps READY rows. Sorted by name, then version.
   */
  List<RepositoryEntry> index(boolean readyOnly) {
    TreeSet<String> names = new TreeSet<>(models.keySet());
    names.addAll(repository.names());
    List<RepositoryEntry> out = new ArrayList<>();
    for (String name : names) {
      for (RepositoryEntry r : rows(name)) {
        if (!readyOnly || r.state() == ModelState.READY) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private List<RepositoryEntry> rows(String name) {
    ServedModel m = models.get(name);
    List<RepositoryEntry> rows = new ArrayList<>();
    if (m == null) {
      rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, "not loaded"));
      return rows;
    }
    m.states().forEach((v, state) -> rows.add(new RepositoryEntry(name, Long.toString(v), state, "")));
    m.failures()
        .forEach((v, why) -> rows.add(new RepositoryEntry(name, Long.toString(v), ModelState.UNAVAILABLE, why)));
    if (rows.isEmpty()) {
      String why = m.modelFailure().orElse(unloadedByRequest.contains(name) ? "unloaded" : "not loaded");
      rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, why));
    } else if (m.modelFailure().isPresent() && !m.loaded().isEmpty()) {
      rows.add(new RepositoryEntry(name, "", ModelState.UNAVAILABLE, m.modelFailure().get()));
    }
    rows.sort(Comparator.comparingLong(r -> r.version().isEmpty() ? -1 : Long.parseLong(r.version())));
    return rows;
  }

  /** Brings one model in line with the repository; empty when the repository no longer has it. */
  private Optional<ServedModel> reconcile(String name, boolean reload) {
    Optional<ModelSource> source;
    ServedModel m = models.computeIfAbsent(name, ServedModel::new);
    try {
      source = repository.read(name);
    } catch (IllegalArgumentException e) {
      // A broken config.json keeps what is serving (as a broken model file does) and is reported in the index.
      m.fail(e.getMessage());
      return Optional.of(m);
    }
    if (source.isEmpty()) {
      models.remove(name);
      m.unloadAll(settings);
      return Optional.empty();
    }
    Optional<Engine> engine = Optional.ofNullable(engines.get(source.get().platform()));
    m.reconcile(source.get(), engine, engineOptions, metrics, settings, reload);
    return Optional.of(m);
  }
}
