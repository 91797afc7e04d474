package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.training.job.JobJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's own check: bytes that do not match the recorded sha256 are never written, not even in part. */
class ModelFileTest {
  @TempDir Path dir;

  @Test
  void bytesThatDoNotMatchTheRecordedChecksumLeaveNoFile() throws Exception {
    byte[] model = "model bytes".getBytes(StandardCharsets.UTF_8);
    String recorded = ModelFile.sha256("other bytes".getBytes(StandardCharsets.UTF_8));
    Path out = dir.resolve("m.onnx");
    assertThatThrownBy(() -> ModelFile.write(out, model, recorded, JobJson.MAPPER.createObjectNode()))
        .isInstanceOf(KilnClient.CallFailed.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining(recorded);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void matchingBytesAreWrittenWithTheirLineageBeside() throws Exception {
    byte[] model = "model bytes".getBytes(StandardCharsets.UTF_8);
    Path out = dir.resolve("m.onnx");
    ModelFile.write(out, model, ModelFile.sha256(model), JobJson.MAPPER.createObjectNode().put("model", "m"));
    assertThat(Files.readAllBytes(out)).isEqualTo(model);
    var lineage = JobJson.MAPPER.readTree(dir.resolve("m.onnx.lineage.json").toFile());
    assertThat(lineage.path("model").asText()).isEqualTo("m");
    assertThat(lineage.path("sha256").asText()).isEqualTo(ModelFile.sha256(model));
    assertThat(lineage.path("size_bytes").asInt()).isEqualTo(model.length);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).hasSize(2); // no temporary file left beside them
    }
  }
}
