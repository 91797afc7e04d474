package dev.kiln.core.serving;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.repository.ModelSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All versions of one model. Lifecycle changes are serialised on this object; inference reads the version map without
 * locking. A new version is put in the map before the version it replaces is drained, so requests for "latest" never
 * see a gap.
 */
final class ServedModel {
  private static final Logger LOG = Logger.getLogger(ServedModel.class.getName());

  private final String name;
  private final ConcurrentSkipListMap<Long, ServedVersion> versions = new ConcurrentSkipListMap<>();
  private final Map<Long, String> failures = new ConcurrentHashMap<>();
  private volatile ModelConfig config;
  private volatile String platform = "";
  private volatile String modelFailure;
  private volatile Set<Long> wanted = Set.of();

  ServedModel(String name) {
    this.name = name;
    this.config = ModelConfig.defaults(name);
  }

  String name() {
    return name;
  }

  ModelConfig config() {
    return config;
  }

  String platform() {
    return platform;
  }

  /** The highest ready version. */
  Optional<ServedVersion> latestReady() {
    for (long v : versions.descendingKeySet()) {
      Optional<ServedVersion> sv = ready(v);
      if (sv.isPresent()) {
        return sv;
      }
    }
    return Optional.empty();
  }

  /** Whether a version the policy selects is ready; older versions may serve while none is (see reconcile). */
  boolean wantedReady() {
    return wanted.stream().anyMatch(versions::containsKey);
  }

  /** Version {@code v} as loaded, whatever its state. */
  Optional<ServedVersion> version(long v) {
    return Optional.ofNullable(versions.get(v));
  }

  /**
   * Version {@code v} if it is ready. A reload puts the fresh instance in the map before it starts draining the one it
   * replaces, so an instance found no longer ready has its successor in the map already (or is gone): read again rather
   * than report a version that is being replaced as not ready.
   */
  Optional<ServedVersion> ready(long v) {
    ServedVersion found = versions.get(v);
    while (found != null) {
      if (found.state() == ModelState.READY) {
        return Optional.of(found);
      }
      ServedVersion now = versions.get(v);
      if (now == found) {
        break;
      }
      found = now;
    }
    return Optional.empty();
  }

  /** Every loaded version, each as {@link #ready} finds it when it is ready (so not the instance it replaces). */
  List<ServedVersion> loaded() {
    List<ServedVersion> out = new ArrayList<>();
    for (long v : versions.keySet()) {
      ready(v).or(() -> version(v)).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The state of every loaded version, by version. Read through {@link #ready} so that a version being replaced shows
   * as ready: asking an instance for its state after finding it could meet it just replaced.
   */
  SortedMap<Long, ModelState> states() {
    SortedMap<Long, ModelState> out = new TreeMap<>();
    for (long v : versions.keySet()) {
      if (ready(v).isPresent()) {
        out.put(v, ModelState.READY);
      } else {
        version(v).ifPresent(sv -> out.put(v, sv.state()));
      }
    }
    return out;
  }

  /** A load failure that concerns the whole model (bad config, no versions). */
  Optional<String> modelFailure() {
    return Optional.ofNullable(modelFailure);
  }

  Map<Long, String> failures() {
    return Map.copyOf(failures);
  }

  /** Records a failure that happened before any version could be looked at, such as an unreadable config. */
  synchronized void fail(String reason) {
    modelFailure = reason;
  }

  /**
   * Brings the loaded versions in line with {@code source} and its version policy.
   *
   * @param reload whether versions already loaded are loaded afresh (explicit load) or kept (polling)
   */
  synchronized void reconcile(
      ModelSource source,
      Optional<Engine> engine,
      EngineOptions options,
      InferenceMetrics metrics,
      CoreSettings settings,
      boolean reload) {
    modelFailure = null;
    config = source.config();
    platform = source.platform();
    Set<Long> wanted = source.config().versionPolicy().select(source.versionFiles().keySet());
    this.wanted = Set.copyOf(wanted);
    if (engine.isEmpty()) {
      modelFailure = "no engine for platform '" + source.platform() + "'";
    } else if (wanted.isEmpty()) {
      modelFailure = "no version folder with a model file (expected: <version>/" + engine.get().modelFileName() + ")";
    }
    failures.keySet().retainAll(wanted);
    List<ServedVersion> retired = new ArrayList<>();
    if (engine.isPresent()) {
      for (long v : wanted) {
        ServedVersion current = versions.get(v);
        if (current != null && !reload && current.state() == ModelState.READY) {
          continue;
        }
        try {
          ServedVersion fresh =
              loadVersion(engine.get(), source, v, source.versionFiles().get(v), options, metrics, settings);
          ServedVersion old = versions.put(v, fresh);
          failures.remove(v);
          if (old != null) {
            retired.add(old);
          }
        } catch (RuntimeException e) {
          String reason =
              e instanceof ModelLoadException
                      || e instanceof IllegalStateException
                      || e instanceof IllegalArgumentException
                      || e instanceof KilnException
                  ? e.getMessage()
                  : "could not load the model file";
          LOG.warning("model " + name + " version " + v + " failed to load: " + reason);
          LOG.log(Level.FINE, "load failure of " + name + " version " + v, e);
          failures.put(v, reason);
        }
      }
    }
    // Availability first (TF Serving's AvailabilityPreservingPolicy): versions the policy no longer wants keep
    // serving until one it wants is ready, so a broken new version does not take the model down.
    boolean keepOld = !wanted.isEmpty() && !wantedReady();
    for (Long v : List.copyOf(versions.keySet())) {
      if (!wanted.contains(v) && !keepOld) {
        retired.add(versions.remove(v));
      }
    }
    retired.forEach(r -> r.unload(settings.drainTimeout()));
  }

  /** Unloads every version, waiting for their in-flight requests. */
  synchronized void unloadAll(CoreSettings settings) {
    List<ServedVersion> all = List.copyOf(versions.values());
    versions.clear();
    failures.clear();
    all.forEach(v -> v.unload(settings.drainTimeout()));
  }

  private ServedVersion loadVersion(
      Engine engine,
      ModelSource source,
      long v,
      Path file,
      EngineOptions options,
      InferenceMetrics metrics,
      CoreSettings settings) {
    ModelConfig cfg = source.config();
    List<ModelInstance> instances = new ArrayList<>();
    try {
      ModelArtifact artifact = new ModelArtifact(name, v, file, options, Optional.ofNullable(source.contents().get(v)));
      ColumnTransforms transforms = settings.columnPolicies().of(artifact);
      for (int i = 0; i < cfg.instanceCount(); i++) {
        instances.add(engine.load(artifact));
      }
      ModelSignature signature = effectiveSignature(cfg, instances.get(0).signature());
      if (cfg.batching().enabled() && !signature.batchable()) {
        throw new IllegalArgumentException(
            "max-batch-size > 1 needs every input and output to have a " + "variable first dimension");
      }
      ServedVersion sv = new ServedVersion(name, v, cfg, signature, instances, metrics, transforms);
      instances.clear(); // the version owns them now and unloading it closes them; close() need not be idempotent
      if (cfg.warmup()) {
        try {
          sv.warmUp(settings.requestTimeout());
        } catch (RuntimeException e) {
          sv.unload(Duration.ZERO);
          throw e;
        }
      }
      sv.markReady();
      return sv;
    } catch (RuntimeException e) {
      instances.forEach(ModelInstance::close);
      throw e;
    }
  }

  /** The config's declared signature where it gives one (each name must exist in the model), else the model's. */
  private static ModelSignature effectiveSignature(ModelConfig cfg, ModelSignature fromModel) {
    Optional<ModelSignature> declared = cfg.declaredSignature();
    if (declared.isEmpty()) {
      return fromModel;
    }
    ModelSignature d = declared.get();
    check(d.inputs(), fromModel.inputs(), "input");
    check(d.outputs(), fromModel.outputs(), "output");
    return new ModelSignature(
        d.inputs().isEmpty() ? fromModel.inputs() : withColumns(d.inputs(), fromModel.inputs()),
        d.outputs().isEmpty() ? fromModel.outputs() : withColumns(d.outputs(), fromModel.outputs()));
  }

  /**
   * The declared specs with the column names and background rows the model file gives the same tensor (a config has no
   * place to declare them), where they still describe its last dimension.
   */
  private static List<TensorSpec> withColumns(List<TensorSpec> declared, List<TensorSpec> actual) {
    List<TensorSpec> out = new ArrayList<>();
    for (TensorSpec t : declared) {
      TensorSpec file = actual.stream().filter(a -> a.name().equals(t.name())).findFirst().orElseThrow();
      List<String> columns = file.columns();
      long[] shape = t.shape();
      long last = shape.length == 0 ? 0 : shape[shape.length - 1];
      boolean fits = !columns.isEmpty() && t.columns().isEmpty() && (last < 0 || last == columns.size());
      TensorSpec named = fits ? t.withColumns(columns) : t;
      boolean rowsFit = shape.length == 2 && (last < 0 || last == file.background().width());
      out.add(rowsFit && named.background().isEmpty() ? named.withBackground(file.background()) : named);
    }
    return out;
  }

  private static void check(List<TensorSpec> declared, List<TensorSpec> actual, String what) {
    for (TensorSpec t : declared) {
      if (actual.stream().noneMatch(a -> a.name().equals(t.name()))) {
        throw new IllegalArgumentException(
            "config declares " + what + " '" + t.name() + "' which the model does not have");
      }
    }
  }
}
