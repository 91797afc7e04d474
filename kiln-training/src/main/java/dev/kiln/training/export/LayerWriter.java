package dev.kiln.training.export;

import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.engine.Param;
import dev.kiln.training.spec.LayerSpec;
import java.util.List;
import java.util.Map;

/** One spec layer as ONNX operators, from PyTorch-layout weights. */
final class LayerWriter {
  private final OnnxGraphBuilder g;

  LayerWriter(OnnxGraphBuilder g) {
    this.g = g;
  }

  /** Appends layer {@code index} reading {@code x}; returns the name of its output. */
  String write(int index, LayerSpec layer, Map<String, Param> p, String x) {
    String prefix = "layer" + index + "_";
    return switch (layer) {
      case LayerSpec.Dense d -> {
        String w = constant(prefix + "weight", p.get("weight"));
        List<String> in = d.useBias() ? List.of(x, w, constant(prefix + "bias", p.get("bias"))) : List.of(x, w);
        String y = g.fresh(prefix + "dense");
        g.node("Gemm", in, List.of(y), Map.of("transB", 1L));
        yield OnnxExporter.activation(g, d.activation(), y);
      }
      case LayerSpec.Conv2D c -> {
        long[] pads = pads(p.get("weight"), c);
        List<String> in =
            p.containsKey("bias")
                ? List.of(x, constant(prefix + "weight", p.get("weight")), constant(prefix + "bias", p.get("bias")))
                : List.of(x, constant(prefix + "weight", p.get("weight")));
        String y = g.fresh(prefix + "conv");
        g.node(
            "Conv",
            in,
            List.of(y),
            Map.of("kernel_shape", longs(c.kernelSize()), "strides", longs(c.strides()), "pads", pads));
        yield OnnxExporter.activation(g, c.activation(), y);
      }
      case LayerSpec.MaxPooling2D m -> {
        String y = g.fresh(prefix + "pool");
        g.node(
            "MaxPool",
            List.of(x),
            List.of(y),
            Map.of("kernel_shape", longs(m.poolSize()), "strides", longs(m.strides())));
        yield y;
      }
      case LayerSpec.Flatten f -> {
        String y = g.fresh(prefix + "flatten");
        g.node("Flatten", List.of(x), List.of(y), Map.of("axis", 1L));
        yield y;
      }
      case LayerSpec.Reshape r -> {
        long[] shape = new long[r.targetShape().size() + 1];
        shape[0] = -1;
        for (int i = 0; i < r.targetShape().size(); i++) {
          shape[i + 1] = r.targetShape().get(i);
        }
        String s = prefix + "shape";
        g.initializerInt64(s, new long[] {shape.length}, shape);
        String y = g.fresh(prefix + "reshape");
        g.node("Reshape", List.of(x, s), List.of(y));
        yield y;
      }
      case LayerSpec.Dropout d -> x; // the identity at inference
      case LayerSpec.BatchNormalization b -> {
        String y = g.fresh(prefix + "bn");
        g.node(
            "BatchNormalization",
            List.of(
                x,
                constant(prefix + "gamma", p.get("gamma")),
                constant(prefix + "beta", p.get("beta")),
                constant(prefix + "mean", p.get("running_mean")),
                constant(prefix + "var", p.get("running_var"))),
            List.of(y),
            Map.of("epsilon", b.epsilon().floatValue()));
        yield y;
      }
      case LayerSpec.Embedding e -> {
        String y = g.fresh(prefix + "embedding");
        g.node("Gather", List.of(constant(prefix + "weight", p.get("weight")), x), List.of(y), Map.of("axis", 0L));
        yield y;
      }
      case LayerSpec.Lstm l -> new RecurrentWriter(g).lstm(prefix, l.units(), l.returnSequences(), p, x);
      case LayerSpec.Gru r -> new RecurrentWriter(g).gru(prefix, r.units(), r.returnSequences(), p, x);
      case LayerSpec.ActivationLayer a -> OnnxExporter.activation(g, a.activation(), x);
    };
  }

  /** The training engine chose symmetric padding; recover it from the layer (ONNX wants begin and end). */
  private static long[] pads(Param weight, LayerSpec.Conv2D c) {
    if (c.padding() == LayerSpec.Padding.VALID) {
      return new long[] {0, 0, 0, 0};
    }
    long ph = (c.kernelSize().get(0) - 1) / 2;
    long pw = (c.kernelSize().get(1) - 1) / 2;
    return new long[] {ph, pw, ph, pw};
  }

  private String constant(String name, Param p) {
    g.initializer(name, p.shape(), p.values());
    return name;
  }

  static long[] longs(List<Integer> v) {
    return v.stream().mapToLong(Integer::longValue).toArray();
  }
}
