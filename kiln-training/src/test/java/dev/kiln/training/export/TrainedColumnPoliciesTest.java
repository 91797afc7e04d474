package dev.kiln.training.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.serving.ColumnTransforms;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.data.FileDatasetKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainedColumnPoliciesTest {
  @TempDir Path dir;

  private static OnnxGraphBuilder model() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("m");
    g.input("x", DataType.FP32, -1, 1).output("y", DataType.FP32, -1, 1);
    g.initializer("w", new long[] {1, 1}, new float[] {2f});
    g.node("MatMul", List.of("x", "w"), List.of("y"));
    return g;
  }

  @Test
  void readsThePolicyFromTheModelsMetadataWithTheDatasetNamesKey() throws Exception {
    FileDatasetKeys keys = new FileDatasetKeys(dir.resolve("keys"));
    Path file =
        model()
            .metadata("kiln.dataset", "people@2")
            .metadata(
                "kiln.dataset.policy", "{\"drop\":[\"email\"],\"hash\":[\"customer_id\"],\"mask\":{\"postcode\":3}}")
            .write(dir.resolve("model.onnx"));
    ColumnTransforms t =
        new TrainedColumnPolicies(keys).of(new ModelArtifact("people", 1, file, EngineOptions.defaults()));
    assertThat(t.dropped()).isEqualTo(Set.of("email"));
    assertThat(t.hashKeys().get("customer_id")).isEqualTo(keys.hashKey("people"));
    assertThat(t.masks()).isEqualTo(Map.of("postcode", 3));

    // The same from a stored artifact's bytes (an opaque name, read through its contents).
    byte[] bytes = Files.readAllBytes(file);
    ColumnTransforms stored =
        new TrainedColumnPolicies(keys)
            .of(
                new ModelArtifact(
                    "people", 1, dir.resolve("ab/cdef"), EngineOptions.defaults(), Optional.of(() -> bytes)));
    assertThat(stored.masks()).isEqualTo(Map.of("postcode", 3));
  }

  @Test
  void modelsWithoutAPolicyAndFilesThatAreNotOnnxGetNone() throws Exception {
    TrainedColumnPolicies policies =
        new TrainedColumnPolicies(d -> {
          throw new AssertionError("no key is asked for");
        });
    Path plain = model().metadata("kiln.dataset", "x@1").write(dir.resolve("model.onnx"));
    assertThat(policies.of(new ModelArtifact("m", 1, plain, EngineOptions.defaults())))
        .isEqualTo(ColumnTransforms.NONE);
    Path gguf = Files.write(dir.resolve("model.gguf"), "GGUF....".getBytes());
    assertThat(policies.of(new ModelArtifact("m", 1, gguf, EngineOptions.defaults()))).isEqualTo(ColumnTransforms.NONE);
    byte[] junk = "GGUF not protobuf".getBytes();
    assertThat(
            policies.of(
                new ModelArtifact("m", 1, dir.resolve("ab/cd"), EngineOptions.defaults(), Optional.of(() -> junk))))
        .isEqualTo(ColumnTransforms.NONE);
  }
}
