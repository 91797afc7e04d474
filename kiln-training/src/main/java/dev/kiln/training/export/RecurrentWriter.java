package dev.kiln.training.export;

import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.engine.Param;
import java.util.List;
import java.util.Map;

/**
 * LSTM and GRU layers as ONNX's LSTM and GRU operators. Two translations are needed: ONNX (opset 13) runs
 * sequence-first while the model is batch-first, and the gate order differs. PyTorch stacks LSTM gates as i, f, g, o
 * and ONNX as i, o, f, c; PyTorch's GRU stacks r, z, n and ONNX z, r, h, and PyTorch applies the reset gate after the
 * hidden projection, which is ONNX's {@code linear_before_reset = 1}.
 */
final class RecurrentWriter {
  private static final int[] LSTM_ORDER = {0, 3, 1, 2}; // ONNX gate k takes PyTorch gate LSTM_ORDER[k]
  private static final int[] GRU_ORDER = {1, 0, 2};

  private final OnnxGraphBuilder g;

  RecurrentWriter(OnnxGraphBuilder g) {
    this.g = g;
  }

  String lstm(String prefix, int units, boolean sequences, Map<String, Param> p, String x) {
    return write("LSTM", prefix, units, sequences, p, x, LSTM_ORDER, Map.of("hidden_size", (long) units));
  }

  String gru(String prefix, int units, boolean sequences, Map<String, Param> p, String x) {
    return write(
        "GRU",
        prefix,
        units,
        sequences,
        p,
        x,
        GRU_ORDER,
        Map.of("hidden_size", (long) units, "linear_before_reset", 1L));
  }

  private String write(
      String op,
      String prefix,
      int units,
      boolean sequences,
      Map<String, Param> p,
      String x,
      int[] order,
      Map<String, Object> attributes) {
    Param wih = p.get("w_ih");
    Param whh = p.get("w_hh");
    int gates = order.length;
    String w = prefix + "W";
    g.initializer(w, new long[] {1, wih.shape()[0], wih.shape()[1]}, reorder(wih.values(), gates, order));
    String r = prefix + "R";
    g.initializer(r, new long[] {1, whh.shape()[0], whh.shape()[1]}, reorder(whh.values(), gates, order));
    float[] bih = reorder(p.get("b_ih").values(), gates, order);
    float[] bhh = reorder(p.get("b_hh").values(), gates, order);
    float[] bias = new float[bih.length + bhh.length];
    System.arraycopy(bih, 0, bias, 0, bih.length);
    System.arraycopy(bhh, 0, bias, bih.length, bhh.length);
    String b = prefix + "B";
    g.initializer(b, new long[] {1, bias.length}, bias);

    String seqFirst = g.fresh(prefix + "seq_first");
    g.node("Transpose", List.of(x), List.of(seqFirst), Map.of("perm", new long[] {1, 0, 2}));
    String y = g.fresh(prefix + "y");
    String yh = g.fresh(prefix + "y_h");
    List<String> outputs = op.equals("LSTM") ? List.of(y, yh, g.fresh(prefix + "y_c")) : List.of(y, yh);
    g.node(op, List.of(seqFirst, w, r, b), outputs, attributes);
    String axes = g.fresh(prefix + "axes");
    if (!sequences) {
      // Y_h [1, N, H] is the last step's output.
      g.initializerInt64(axes, new long[] {1}, new long[] {0});
      String last = g.fresh(prefix + "last");
      g.node("Squeeze", List.of(yh, axes), List.of(last));
      return last;
    }
    // Y [steps, 1, N, H] back to batch-first [N, steps, H].
    g.initializerInt64(axes, new long[] {1}, new long[] {1});
    String squeezed = g.fresh(prefix + "squeezed");
    g.node("Squeeze", List.of(y, axes), List.of(squeezed));
    String out = g.fresh(prefix + "sequence");
    g.node("Transpose", List.of(squeezed), List.of(out), Map.of("perm", new long[] {1, 0, 2}));
    return out;
  }

  /** Reorders the gate blocks (rows) of a stacked weight or bias. */
  static float[] reorder(float[] stacked, int gates, int[] order) {
    int block = stacked.length / gates;
    float[] out = new float[stacked.length];
    for (int k = 0; k < gates; k++) {
      System.arraycopy(stacked, order[k] * block, out, k * block, block);
    }
    return out;
  }
}
