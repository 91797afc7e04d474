package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.model.ModelState;
import dev.kiln.core.serving.RepositoryEntry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelsTest {
  @TempDir Path repo;

  @Test
  void aModelWhoseLoaderThrowsAnythingFailsAloneWithAReasonThatRevealsNothing() throws Exception {
    Files.writeString(Files.createDirectories(repo.resolve("evil/2")).resolve("model.gguf"), "GGUF");
    LanguageEngine engine =
        new LanguageEngine() {
          @Override
          public String modelFileName() {
            return "model.gguf";
          }

          @Override
          public LanguageModel load(Path file, int contextLength, int slots) {
            // What a GGUF with a string alignment made the header reader throw before it checked key types.
            throw new ClassCastException("class java.lang.String cannot be cast to class java.lang.Number");
          }
        };
    try (LanguageModels models = new LanguageModels(repo, engine, 0, 1, new SimpleMeterRegistry())) {
      assertThat(models.all()).isEmpty();
      assertThat(models.failures())
          .containsExactly(
              new RepositoryEntry("evil", "2", ModelState.UNAVAILABLE, "the model file could not be loaded"));
    }
  }
}
