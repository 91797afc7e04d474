package dev.kiln.training.job;

import java.nio.file.Path;

/** Puts a trained model into service; the server implements it over its model repository and inference core. */
public interface Deployer {
  /**
   * Publishes {@code onnx} as the next version of {@code model} and loads it.
   *
   * @return the version now serving
   */
  String deploy(String model, Path onnx, Job job);
}
