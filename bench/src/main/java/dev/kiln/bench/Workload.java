package dev.kiln.bench;

import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model under test and the rows sent to it: an MLP 784-128-10 (FP32; the hidden width can be changed) with seeded
 * weights, a fixed set of seeded input rows, and each row's expected logits computed in plain Java, so answers are
 * checked against a reference that shares no code with ONNX Runtime.
 */
record Workload(ExampleModels.Mlp mlp, float[][] rows, float[][] expected) {
  static final int INPUTS = 784;

  /** The hidden width the targets are about; other widths show how the picture changes with model cost. */
  static final int DEFAULT_HIDDEN = 128;

  static final int OUTPUTS = 10;
  static final String UNBATCHED_MODEL = "mlp";

  /** Tolerance of the check against plain Java (ORT sums in a different order, in float). */
  private static final double TOLERANCE = 1e-4;

  static Workload create(int rowCount, long seed) {
    return create(rowCount, seed, DEFAULT_HIDDEN);
  }

  static Workload create(int rowCount, long seed, int hidden) {
    ExampleModels.Mlp mlp = ExampleModels.Mlp.random(INPUTS, hidden, OUTPUTS, seed);
    float[][] rows = new float[rowCount][];
    float[][] expected = new float[rowCount][];
    for (int i = 0; i < rowCount; i++) {
      rows[i] = ExampleModels.Mlp.randomRow(INPUTS, seed * 1000 + i);
      expected[i] = mlp.predict(rows[i]);
    }
    return new Workload(mlp, rows, expected);
  }

  /** The model name that serves with dynamic batching and the given queue delay. */
  static String batchedModel(long queueDelayMicros) {
    return "mlp-batched-" + queueDelayMicros + "us";
  }

  /**
   * Writes one model repository holding the same weights twice or more: {@code mlp} without batching and one batched
   * copy per queue delay, so every cell of a run is served by one server.
   */
  void writeRepository(Path root, int maxBatchSize, long[] queueDelaysMicros) throws IOException {
    byte[] onnx = mlp.onnx();
    ExampleModels.write(root, UNBATCHED_MODEL, 1, onnx);
    for (long delay : queueDelaysMicros) {
      String name = batchedModel(delay);
      ExampleModels.write(root, name, 1, onnx);
      Files.writeString(
          root.resolve(name).resolve("config.json"),
          "{\"max-batch-size\": " + maxBatchSize + ", \"dynamic-batching\": {\"max-queue-delay-us\": " + delay + "}}");
    }
  }

  /** Null when {@code actual} matches row {@code row}'s reference; otherwise what is wrong. */
  String mismatch(int row, float[] actual) {
    float[] want = expected[row];
    if (actual == null || actual.length != want.length) {
      return "row " + row + ": " + (actual == null ? "no" : actual.length) + " logits (expected: " + want.length + ")";
    }
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - want[i]));
    }
    return worst <= TOLERANCE ? null : String.format("row %d: max |Δ| %.2e vs plain Java", row, worst);
  }
}
