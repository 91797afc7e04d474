package dev.kiln.engine.llama;

import dev.kiln.core.engine.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Kiln's checks of a GGUF file before llama.cpp sees it, for engines that load it elsewhere (another process). */
public final class GgufCheck {
  private GgufCheck() {}

  /**
   * @throws ModelLoadException with the same caller-safe reason {@link LlamaEngine#load(Path)} gives
   */
  public static void check(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("the model file is missing");
    }
    GgufFile.read(file);
  }
}
