package dev.kiln.protocol.grpc;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.tensor.DataType;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.onnx.ExampleModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A started core over a repository of the example models, written to a temporary folder. */
final class TestCore {
  static final int MLP_INPUTS = 16;
  static final int MLP_OUTPUTS = 4;
  static final ExampleModels.Mlp MLP = ExampleModels.Mlp.random(MLP_INPUTS, 32, MLP_OUTPUTS, 7);

  private TestCore() {}

  /**
   * Models: {@code mlp} (FP32 [N, 16] → [N, 4]), {@code mlp_batched} (the same weights behind the dynamic batcher, up
   * to 8 rows), {@code add_sub}, and identities {@code identity_bytes}, {@code identity_fp16}, {@code identity_int8}.
   */
  static InferenceCore start(Path root) {
    try {
      ExampleModels.write(root, "mlp", 1, MLP.onnx());
      ExampleModels.write(root, "mlp_batched", 1, MLP.onnx());
      Files.writeString(
          root.resolve("mlp_batched").resolve("config.json"),
          // Dispatched only as a full batch of 8 (or after ten minutes), so a batching test cannot pass unstacked.
          "{\"warmup\": false, \"max-batch-size\": 8, \"dynamic-batching\": {\"max-queue-delay-us\": 600000000,"
              + " \"preferred-batch-sizes\": [8]}}");
      ExampleModels.write(root, "add_sub", 1, ExampleModels.addSub());
      ExampleModels.write(root, "identity_bytes", 1, ExampleModels.identity(DataType.BYTES));
      ExampleModels.write(root, "identity_fp16", 1, ExampleModels.identity(DataType.FP16));
      ExampleModels.write(root, "identity_int8", 1, ExampleModels.identity(DataType.INT8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    InferenceCore core =
        new InferenceCore(
            new ModelRepository(root, List.of(new OnnxEngine())),
            List.of(new OnnxEngine()),
            EngineOptions.defaults(),
            new InferenceMetrics(new SimpleMeterRegistry()),
            CoreSettings.defaults());
    core.start();
    return core;
  }
}
