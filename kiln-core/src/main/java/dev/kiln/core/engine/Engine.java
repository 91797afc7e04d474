package dev.kiln.core.engine;

/** Loads model files of one format. Implementations are stateless factories and safe to share. */
public interface Engine {
  /** The Open Inference Protocol platform string, e.g. {@code onnxruntime_onnx}. */
  String platform();

  /** The file name this engine looks for in a version folder, e.g. {@code model.onnx}. */
  String modelFileName();

  /**
   * Loads one executable instance of the artifact.
   *
   * @throws ModelLoadException with a caller-safe reason when the artifact cannot be loaded
   */
  ModelInstance load(ModelArtifact artifact);
}
