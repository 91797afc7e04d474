package dev.kiln.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.serving.Statistics;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.onnx.ExampleModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic batcher in front of ONNX Runtime: rows of separate callers run as one execution of the real model. */
class OnnxBatchingTest {
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(16, 32, 4, 11);
  @TempDir Path repo;
  InferenceCore core;

  @AfterEach
  void close() {
    if (core != null) {
      core.close();
    }
  }

  @Test
  void separateCallersAreStackedIntoOneExecutionAndEachGetsItsOwnRow() throws Exception {
    ExampleModels.write(repo, "mlp", 1, MLP.onnx());
    // A ten-minute delay that only a full preferred batch cuts short: if the eight answers come back within the
    // test's wait, they were stacked; no timing assumption about this machine is needed. No warmup: its lone
    // request would wait out the delay.
    Files.writeString(
        repo.resolve("mlp/config.json"),
        "{\"warmup\": false, \"max-batch-size\": 8, "
            + "\"dynamic-batching\": {\"max-queue-delay-us\": 600000000, \"preferred-batch-sizes\": [8]}}");
    core =
        new InferenceCore(
            new ModelRepository(repo, List.of(new OnnxEngine())),
            List.of(new OnnxEngine()),
            EngineOptions.defaults(),
            new InferenceMetrics(new SimpleMeterRegistry()),
            CoreSettings.defaults());
    core.start();

    List<float[]> rows = new ArrayList<>();
    List<CompletableFuture<InferenceResponse>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rows.add(ExampleModels.Mlp.randomRow(16, 200 + i));
      results.add(
          core.infer(
              Target.latest("mlp"),
              InferenceRequest.of(Map.of("input", Tensor.ofFloats(new long[] {1, 16}, rows.get(i))))));
    }

    for (int i = 0; i < 8; i++) {
      Tensor logits = results.get(i).get(30, TimeUnit.SECONDS).outputs().get("logits");
      assertThat(logits.shape()).containsExactly(1, 4);
      assertThat(logits.floats()).as("caller %d", i).containsExactly(MLP.predict(rows.get(i)), within(1e-4f));
    }
    Statistics s = core.statistics(Target.of("mlp", 1)).get(0);
    assertThat(s.success().count()).isEqualTo(8);
    assertThat(s.inferenceCount()).as("rows").isEqualTo(8);
    assertThat(s.executionCount()).as("executions of the engine for 8 requests").isEqualTo(1);
  }
}
