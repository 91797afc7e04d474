package dev.kiln.training.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.TabularPreprocessing;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.Param;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a trained network as an ONNX model (opset 13) that takes the dataset's raw rows: the fitted preprocessing
 * first, then one group of standard operators per layer, then the head.
 *
 * <p>Outputs: classification models give {@code probabilities} FP32 {@code [N, classes]}, {@code label} INT64 {@code
 * [N]} (the class index) and {@code class} BYTES {@code [N]} (the class name); regression models give {@code
 * prediction} FP32 {@code [N, 1]}.
 */
public final class OnnxExporter {
  public static final String PROBABILITIES = "probabilities";
  public static final String LABEL = "label";
  public static final String CLASS = "class";
  public static final String PREDICTION = "prediction";

  /**
   * The metadata property naming a tabular model's raw columns: a JSON object from input name to its column names in
   * order, e.g. {@code {"features": ["sepal_length", ...]}}. The ONNX engine reads it into the model's signature.
   */
  public static final String COLUMNS = "kiln.columns";

  /**
   * The metadata property holding a tabular model's background rows ({@link BackgroundSample}): a JSON object from
   * input name to rows of raw values. The ONNX engine reads it into the model's signature; explanations use it.
   */
  public static final String BACKGROUND = "kiln.background";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OnnxExporter() {}

  /**
   * @param params per layer index of {@code plan.layers()}, in the layout {@link dev.kiln.training.engine.TrainedModel}
   *     documents
   * @param metadata written as ONNX metadata properties (lineage)
   */
  public static byte[] export(
      NetworkPlan plan, Map<Integer, Map<String, Param>> params, PreparedData data, Map<String, String> metadata) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("kiln_trained");
    g.opset("ai.onnx.ml", 2);
    metadata.forEach(g::metadata);
    if (data.preprocessing() instanceof TabularPreprocessing tab) {
      g.metadata(COLUMNS, columnsJson(tab));
    }
    String x = "model_input";
    data.preprocessing().appendOnnx(g, x);
    LayerWriter layers = new LayerWriter(g);
    List<LayerSpec> specs = plan.layers();
    for (int i = 0; i < specs.size(); i++) {
      x = layers.write(i, specs.get(i), params.getOrDefault(i, Map.of()), x);
    }
    switch (plan.head()) {
      case SOFTMAX -> {
        g.node("Softmax", List.of(x), List.of(PROBABILITIES), Map.of("axis", 1L));
        classOutputs(g, data);
      }
      case SIGMOID -> {
        String p = g.fresh("p");
        g.node("Sigmoid", List.of(x), List.of(p));
        String one = g.fresh("one");
        g.initializer(one, new long[] {1}, new float[] {1f});
        String q = g.fresh("q");
        g.node("Sub", List.of(one, p), List.of(q));
        g.node("Concat", List.of(q, p), List.of(PROBABILITIES), Map.of("axis", 1L));
        classOutputs(g, data);
      }
      case NONE -> {
        g.node("Identity", List.of(x), List.of(PREDICTION));
        g.output(PREDICTION, DataType.FP32, -1, 1);
      }
    }
    return g.toBytes();
  }

  private static String columnsJson(TabularPreprocessing tab) {
    try {
      return JSON.writeValueAsString(tab.columns());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("column names are plain strings", e);
    }
  }

  private static void classOutputs(OnnxGraphBuilder g, PreparedData data) {
    List<String> classes = data.task().classes();
    g.output(PROBABILITIES, DataType.FP32, -1, classes.size());
    g.node("ArgMax", List.of(PROBABILITIES), List.of(LABEL), Map.of("axis", 1L, "keepdims", 0L));
    g.output(LABEL, DataType.INT64, -1);
    long[] ids = new long[classes.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    g.node(
        "ai.onnx.ml",
        "LabelEncoder",
        List.of(LABEL),
        List.of(CLASS),
        Map.of("keys_int64s", ids, "values_strings", classes.toArray(String[]::new), "default_string", "?"));
    g.output(CLASS, DataType.BYTES, -1);
  }

  /** The activation that follows a layer, if any; returns the activated value's name. */
  static String activation(OnnxGraphBuilder g, Activation a, String x) {
    String op =
        switch (a) {
          case LINEAR -> null;
          case RELU -> "Relu";
          case SIGMOID -> "Sigmoid";
          case TANH -> "Tanh";
          case SOFTMAX -> "Softmax";
        };
    if (op == null) {
      return x;
    }
    String y = g.fresh(op.toLowerCase(Locale.ROOT));
    g.node(op, List.of(x), List.of(y), a == Activation.SOFTMAX ? Map.of("axis", -1L) : Map.of());
    return y;
  }
}
