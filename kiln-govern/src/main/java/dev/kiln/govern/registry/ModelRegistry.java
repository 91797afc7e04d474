package dev.kiln.govern.registry;

import dev.kiln.core.engine.ArtifactContents;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.repository.ModelCatalog;
import dev.kiln.core.repository.ModelSource;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.SafeNames;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * The model registry: versions pushed (uploaded or trained) into the artifact store, encrypted and checksummed,
 * published atomically, named by aliases; and, as a {@link ModelCatalog}, the source the inference core serves.
 *
 * <p>A push reserves the next version as PENDING, writes the artifact, then publishes: serving and listings see only
 * published versions, so a server killed mid-upload leaves nothing half-published; {@link #cleanUp} later removes the
 * pending record and any artifact no version points to.
 */
public final class ModelRegistry implements ModelCatalog {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());

  /** The ONNX engine's platform; the registry stores ONNX models (GGUF comes with language models). */
  static final String ONNX_PLATFORM = "onnxruntime_onnx";

  static final String ONNX = "onnx";
  public static final String GGUF = "gguf";

  private final RegistryStore store;
  private final ArtifactStore artifacts;
  private final Auditor audit;
  private final Clock clock;
  private final VersionPush push;
  private final AliasCache aliasCache;

  public ModelRegistry(
      RegistryStore store, ArtifactStore artifacts, Auditor audit, Clock clock, long maxArtifactBytes) {
    this.store = store;
    this.artifacts = artifacts;
    this.audit = audit;
    this.clock = clock;
    this.push = new VersionPush(store, artifacts, audit, clock, maxArtifactBytes);
    this.aliasCache = new AliasCache(store);
  }

  /** Stores {@code model} as the next version of {@code name} and publishes it, loaded by no one. */
  public VersionRecord push(String name, InputStream model, String source, String metadata, String actor, String from) {
    return push(name, model, source, metadata, actor, from, VersionLoader.NONE);
  }

  /**
   * Stores {@code model} as the next version of {@code name}, publishes it and has {@code loader} load it. A version
   * the loader refuses is undone: its record and artifact are deleted (and the model too, when this push created it),
   * the push is audited as failed with the reason, and the caller gets INVALID_ARGUMENT.
   *
   * @param source {@code uploaded} or {@code trained}
   * @param metadata a JSON object (lineage, metrics) kept with the version; {@code {}} for none
   */
  public VersionRecord push(
      String name, InputStream model, String source, String metadata, String actor, String from, VersionLoader loader) {
    return push.push(name, model, source, metadata, actor, from, loader);
  }

  /** Published GGUF versions, the newest of each model: what the language-model side serves. */
  public List<VersionRecord> languageModels() {
    Map<String, VersionRecord> newest = new TreeMap<>();
    for (VersionRecord v : store.published()) {
      if (GGUF.equals(v.format())) {
        newest.merge(v.model(), v, (a, b) -> a.version() >= b.version() ? a : b);
      }
    }
    return List.copyOf(newest.values());
  }

  /**
   * Published GGUF versions by model, newest first: at start the server serves the newest that loads, so a version that
   * does not (damaged, or pushed before Kiln checked) does not take its model down.
   */
  public Map<String, List<VersionRecord>> languageModelVersions() {
    Map<String, List<VersionRecord>> byModel = new TreeMap<>();
    store.published().stream()
        .filter(v -> GGUF.equals(v.format()))
        .sorted(Comparator.comparingLong(VersionRecord::version).reversed())
        .forEach(v -> byModel.computeIfAbsent(v.model(), m -> new ArrayList<>()).add(v));
    return byModel;
  }

  /** A published version's plaintext, verified (decrypted in memory). */
  public byte[] contents(VersionRecord v) {
    return artifacts.read(v.artifact(), v.sha256());
  }

  /**
   * A published version's plaintext, verified, written to {@code target} (owner-only, replaced atomically once
   * verified): for files the engine opens by path, of any size, with one chunk of memory.
   */
  public void contentsTo(VersionRecord v, Path target) {
    artifacts.readTo(v.artifact(), v.sha256(), target);
  }

  public List<ModelRecord> models() {
    return store.models();
  }

  /** The models whose name contains {@code text}, ignoring case (every model when empty), by name. */
  public List<ModelSummary> summaries(String text) {
    return store.summaries(text);
  }

  public ModelRecord model(String name) {
    return store
        .model(SafeNames.requireModelName(name))
        .orElseThrow(() -> KilnException.notFound("no model '" + name + "' in the registry"));
  }

  /** Published and archived versions (pending ones are uploads in progress, not versions yet). */
  public List<VersionRecord> versions(String name) {
    model(name);
    return store.versions(name).stream().filter(v -> v.state() != VersionRecord.State.PENDING).toList();
  }

  public VersionRecord version(String name, long version) {
    return store
        .version(SafeNames.requireModelName(name), version)
        .filter(v -> v.state() != VersionRecord.State.PENDING)
        .orElseThrow(() -> KilnException.notFound("no version " + version + " of model '" + name + "'"));
  }

  public void alias(String name, String alias, long version, String actor, String from) {
    SafeNames.requireAlias(alias);
    VersionRecord v = version(name, version);
    if (v.state() != VersionRecord.State.PUBLISHED) {
      throw new KilnException(ErrorKind.CONFLICT, "version " + version + " of " + name + " is archived");
    }
    store.setAlias(name, alias, version);
    aliasCache.forget(name);
    audit.record(actor, "model.alias", "model:" + name + "@" + alias, from, "ok", "-> " + version);
  }

  public void unalias(String name, String alias, String actor, String from) {
    if (!store.deleteAlias(SafeNames.requireModelName(name), SafeNames.requireAlias(alias))) {
      throw KilnException.notFound("model '" + name + "' has no alias '" + alias + "'");
    }
    aliasCache.forget(name);
    audit.record(actor, "model.unalias", "model:" + name + "@" + alias, from, "ok", "");
  }

  public Map<String, Long> aliases(String name) {
    model(name);
    return store.aliases(name);
  }

  /** The version an alias points at, from memory (see {@link #changed}). */
  public Optional<Long> resolve(String name, String alias) {
    if (!SafeNames.isModelName(name) || !SafeNames.isAlias(alias)) {
      return Optional.empty();
    }
    return Optional.ofNullable(aliasCache.of(name).get(alias));
  }

  /**
   * Says that {@code model}'s versions or aliases changed, here or on another replica (the change feed calls this), so
   * the aliases held in memory are read again.
   */
  public void changed(String model) {
    aliasCache.forget(model);
  }

  public void setCard(String name, String card, String actor, String from) {
    model(name);
    store.setCard(name, card);
    audit.record(actor, "model.card", "model:" + name, from, "ok", card.length() + " characters");
  }

  public void archive(String name, boolean archived, String actor, String from) {
    model(name);
    store.setArchived(name, archived);
    audit.record(actor, archived ? "model.archive" : "model.unarchive", "model:" + name, from, "ok", "");
  }

  /** Deletes one version and its file. */
  public void deleteVersion(String name, long version, String actor, String from) {
    VersionRecord v = version(name, version);
    store.deleteVersion(name, version);
    aliasCache.forget(name); // its aliases went with it
    if (v.artifact() != null) {
      artifacts.delete(v.artifact());
    }
    audit.record(actor, "model.delete", "model:" + name + "/" + version, from, "ok", "");
  }

  /** Deletes a model, every version and their files. */
  public void deleteModel(String name, String actor, String from) {
    List<VersionRecord> all = store.versions(model(name).name());
    store.deleteModel(name);
    aliasCache.forget(name);
    all.stream().filter(v -> v.artifact() != null).forEach(v -> artifacts.delete(v.artifact()));
    audit.record(actor, "model.delete", "model:" + name, from, "ok", all.size() + " version(s)");
  }

  /**
   * Removes what crashed uploads left: pending versions reserved before {@code now - grace}, and artifacts at least
   * that old that neither a version nor another feature sharing the store ({@link
   * RegistryStore#artifactsHeldElsewhere}) points to.
   */
  public int cleanUp(Duration grace) {
    int removed = new UploadLeftovers(store, artifacts).remove(clock.instant().minus(grace), grace);
    if (removed > 0) {
      LOG.info("registry clean-up removed " + removed + " leftover(s) of interrupted uploads");
    }
    return removed;
  }

  @Override
  public List<String> names() {
    Set<String> names = new TreeSet<>();
    store.published().stream().filter(v -> ONNX.equals(v.format())).forEach(v -> names.add(v.model()));
    return List.copyOf(names);
  }

  @Override
  public Optional<ModelSource> read(String name) {
    if (!SafeNames.isModelName(name)) {
      return Optional.empty();
    }
    Map<Long, Path> files = new TreeMap<>();
    Map<Long, ArtifactContents> contents = new LinkedHashMap<>();
    for (VersionRecord v : store.published()) {
      if (v.model().equals(name) && ONNX.equals(v.format())) {
        // The "file" is only a label for logs; the bytes come decrypted from the store, never from a path.
        files.put(v.version(), Path.of("registry", name, Long.toString(v.version())));
        String key = v.artifact();
        String sha = v.sha256();
        contents.put(v.version(), () -> artifacts.read(key, sha));
      }
    }
    if (files.isEmpty()) {
      return Optional.empty();
    }
    // Every published version is served, so any alias can point at any of them.
    ModelConfig d = ModelConfig.defaults(name);
    ModelConfig config =
        new ModelConfig(
            name, d.batching(), d.instanceCount(), new VersionPolicy.All(), d.inputs(), d.outputs(), d.warmup());
    return Optional.of(new ModelSource(name, config, ONNX_PLATFORM, new TreeMap<>(files), contents));
  }
}
