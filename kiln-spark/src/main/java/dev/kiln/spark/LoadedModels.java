package dev.kiln.spark;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.engine.onnx.OnnxEngine;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The model versions this JVM has loaded, one ONNX Runtime session each, shared by every task the executor runs.
 *
 * <p>Why a static map, against the house rule: Spark gives an executor no place of its own to keep state between tasks;
 * a JVM-wide cache is how executors load a model once rather than once per partition (MLflow's spark_udf and
 * SynapseML's ONNXModel do the same). It is keyed by name, version and checksum, so a version re-registered with other
 * bytes is a different entry, and a failed load leaves nothing behind (the next task tries again and fails with the
 * same reason). Sessions live as long as the executor; an ONNX Runtime session runs calls from several threads at once.
 */
final class LoadedModels {
  private static final ConcurrentMap<Key, ModelInstance> SESSIONS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<Key, ModelSignature> SIGNATURES = new ConcurrentHashMap<>();
  private static final OnnxEngine ENGINE = new OnnxEngine();

  private record Key(String model, long version, String sha256) {
    static Key of(VersionRef ref) {
      return new Key(ref.model(), ref.version(), ref.sha256());
    }
  }

  private LoadedModels() {}

  /** The executor's session for {@code ref}, loading (and verifying) it the first time. */
  static ModelInstance session(ArtifactSource source, VersionRef ref) {
    return SESSIONS.computeIfAbsent(Key.of(ref), k -> load(source, ref));
  }

  /**
   * The version's inputs and outputs, for the driver to plan with. Read from a session opened and closed here rather
   * than from {@link #session}: the driver checks the file too, and each executor still checks its own copy even when
   * it shares the driver's JVM (local mode).
   */
  static ModelSignature signature(ArtifactSource source, VersionRef ref) {
    return SIGNATURES.computeIfAbsent(
        Key.of(ref),
        k -> {
          try (ModelInstance m = load(source, ref)) {
            return m.signature();
          }
        });
  }

  private static ModelInstance load(ArtifactSource source, VersionRef ref) {
    byte[] bytes = ArtifactReader.read(source, ref);
    // One intra-op thread: Spark already runs a task per core, each calling the shared session.
    return ENGINE.load(
        new ModelArtifact(
            ref.model(),
            ref.version(),
            Path.of(ref.model() + "-" + ref.version() + ".onnx"),
            EngineOptions.defaults(),
            Optional.of(() -> bytes)));
  }
}
