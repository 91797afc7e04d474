package dev.kiln.training.data;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/** Runs a preprocessing's ONNX graph in ONNX Runtime on raw inputs; the output comes back as floats. */
final class OrtRun {
  private OrtRun() {}

  /**
   * Inputs: {@code float[][]} rows or {@code float[][][][]} images for FP32, {@code String[][]} rows or {@code
   * String[]} for BYTES.
   */
  static float[] run(Preprocessing p, int outputRank, Map<String, Object> inputs) throws Exception {
    OnnxGraphBuilder g = new OnnxGraphBuilder("pre");
    p.appendOnnx(g, "prepared");
    g.node("Identity", java.util.List.of("prepared"), java.util.List.of("out"));
    long[] shape = new long[outputRank];
    java.util.Arrays.fill(shape, -1);
    g.output("out", p.outputType(), shape);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feed = new HashMap<>();
    try (OrtSession s = env.createSession(g.toBytes(), new OrtSession.SessionOptions())) {
      for (var e : inputs.entrySet()) {
        feed.put(e.getKey(), tensor(env, e.getValue()));
      }
      try (OrtSession.Result r = s.run(feed)) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        if (p.outputType() == DataType.INT64) {
          long[] ls = out.getLongBuffer().array();
          float[] f = new float[ls.length];
          for (int i = 0; i < ls.length; i++) {
            f[i] = ls[i];
          }
          return f;
        }
        FloatBuffer fb = out.getFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return f;
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor tensor(OrtEnvironment env, Object v) throws Exception {
    return switch (v) {
      case String[][] rows -> OnnxTensor.createTensor(env, flat(rows), new long[] {rows.length, rows[0].length});
      case String[] strings -> OnnxTensor.createTensor(env, strings, new long[] {strings.length});
      case float[][] rows -> OnnxTensor.createTensor(env, rows);
      case float[][][][] images -> OnnxTensor.createTensor(env, images);
      default -> throw new IllegalArgumentException(v.getClass().toString());
    };
  }

  private static String[] flat(String[][] rows) {
    return java.util.Arrays.stream(rows).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
