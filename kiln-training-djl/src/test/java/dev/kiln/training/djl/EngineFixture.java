package dev.kiln.training.djl;

import java.nio.file.Path;

/** One engine for a test JVM: libtorch loads once per process anyway. */
final class EngineFixture {
  static final DjlTrainingEngine ENGINE =
      new DjlTrainingEngine(Path.of(System.getProperty("user.home"), ".cache", "kiln", "djl"), 1);

  private EngineFixture() {}
}
