package dev.kiln.training.data;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tabular rows to model input {@code [N, d]}: the numeric columns, each with missing values filled and scaled as {@code
 * (x - offset) / scale}, then one one-hot block per categorical column over the categories seen in training (an unseen
 * category gives all zeros; a missing one its fitted fill, or zeros when none was fitted).
 *
 * <p>The exported model takes {@code features} FP32 {@code [N, numeric]} in {@link #numeric()} order, a missing value
 * sent as NaN, and, when there are categorical columns, {@code categories} BYTES {@code [N, categorical]} in {@link
 * #categorical()} order, a missing value sent as {@code ""}, {@code NA}, {@code NaN} or {@code ?}.
 */
public record TabularPreprocessing(List<NumericFit> numeric, List<CategoricalFit> categorical)
    implements Preprocessing {
  static final String FEATURES = "features";
  static final String CATEGORIES = "categories";

  /** One numeric column: its missing-value fill and scaling. */
  public record NumericFit(String name, float fill, float offset, float scale) {
    float apply(double raw) {
      float x = (float) raw;
      return ((Float.isNaN(x) ? fill : x) - offset) / scale;
    }

    /** {@link #apply} in double precision, with the same (float) fill, offset and scale. */
    double applyExact(double raw) {
      return ((Double.isNaN(raw) ? fill : raw) - offset) / scale;
    }
  }

  /**
   * One categorical column: its categories in one-hot order.
   *
   * @param fill the category a missing value takes, or null when missing values one-hot to zeros
   */
  public record CategoricalFit(String name, List<String> categories, String fill) {
    public CategoricalFit {
      categories = List.copyOf(categories);
    }
  }

  public TabularPreprocessing {
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
  }

  /** The width of one prepared row. */
  public int width() {
    return numeric.size() + categorical.stream().mapToInt(c -> c.categories().size()).sum();
  }

  /**
   * Prepares one row into {@code out} at {@code offset}.
   *
   * @param numbers raw numeric values in {@link #numeric()} order, NaN when missing
   * @param categories raw categories in {@link #categorical()} order, null when missing
   */
  public void apply(double[] numbers, String[] categories, float[] out, int offset) {
    int k = offset;
    for (int i = 0; i < numeric.size(); i++) {
      out[k++] = numeric.get(i).apply(numbers[i]);
    }
    for (int j = 0; j < categorical.size(); j++) {
      int hot = hot(j, categories[j]);
      for (int h = 0; h < categorical.get(j).categories().size(); h++) {
        out[k++] = h == hot ? 1f : 0f;
      }
    }
  }

  /** {@link #apply} in double precision: the exact linear regression solver's training rows ({@link ExactRows}). */
  public void applyExact(double[] numbers, String[] categories, double[] out, int offset) {
    int k = offset;
    for (int i = 0; i < numeric.size(); i++) {
      out[k++] = numeric.get(i).applyExact(numbers[i]);
    }
    for (int j = 0; j < categorical.size(); j++) {
      int hot = hot(j, categories[j]);
      for (int h = 0; h < categorical.get(j).categories().size(); h++) {
        out[k++] = h == hot ? 1 : 0;
      }
    }
  }

  /** The one-hot position of categorical column {@code j}'s raw value, or -1 for all zeros. */
  private int hot(int j, String raw) {
    CategoricalFit c = categorical.get(j);
    String v = raw == null || MissingValues.isMissing(raw) ? c.fill() : raw;
    return v == null ? -1 : c.categories().indexOf(v);
  }

  @Override
  public List<TensorSpec> rawInputs() {
    List<TensorSpec> in = new ArrayList<>();
    if (!numeric.isEmpty()) {
      in.add(new TensorSpec(FEATURES, DataType.FP32, new long[] {-1, numeric.size()}));
    }
    if (!categorical.isEmpty()) {
      in.add(new TensorSpec(CATEGORIES, DataType.BYTES, new long[] {-1, categorical.size()}));
    }
    return in;
  }

  @Override
  public DataType outputType() {
    return DataType.FP32;
  }

  /**
   * The raw column names per model input, in the order each input takes them: what the exported model declares as
   * {@code kiln.columns}, so clients can send rows keyed by column name.
   */
  public Map<String, List<String>> columns() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (!numeric.isEmpty()) {
      out.put(FEATURES, numeric.stream().map(NumericFit::name).toList());
    }
    if (!categorical.isEmpty()) {
      out.put(CATEGORIES, categorical.stream().map(CategoricalFit::name).toList());
    }
    return out;
  }

  @Override
  public void appendOnnx(OnnxGraphBuilder g, String output) {
    List<String> parts = new ArrayList<>();
    if (!numeric.isEmpty()) {
      parts.add(numericPart(g));
    }
    if (!categorical.isEmpty()) {
      g.input(CATEGORIES, DataType.BYTES, -1, categorical.size());
      g.opset("ai.onnx.ml", 2).opset("", 13);
      for (int j = 0; j < categorical.size(); j++) {
        if (!categorical.get(j).categories().isEmpty()) {
          parts.add(oneHot(g, j));
        }
      }
    }
    if (parts.size() == 1) {
      g.node("Identity", parts, List.of(output));
    } else {
      g.node("Concat", parts, List.of(output), Map.of("axis", 1L));
    }
  }

  private String numericPart(OnnxGraphBuilder g) {
    int n = numeric.size();
    g.input(FEATURES, DataType.FP32, -1, n);
    float[] fill = new float[n];
    float[] offset = new float[n];
    float[] scale = new float[n];
    for (int i = 0; i < n; i++) {
      fill[i] = numeric.get(i).fill();
      offset[i] = numeric.get(i).offset();
      scale[i] = numeric.get(i).scale();
    }
    String fillName = constant(g, "fill", fill);
    String nan = g.fresh("is_nan");
    g.node("IsNaN", List.of(FEATURES), List.of(nan));
    String filled = g.fresh("filled");
    g.node("Where", List.of(nan, fillName, FEATURES), List.of(filled));
    String centred = g.fresh("centred");
    g.node("Sub", List.of(filled, constant(g, "offset", offset)), List.of(centred));
    String scaled = g.fresh("scaled");
    // Div, not Mul by a reciprocal, so the result is bit-identical to the Java side.
    g.node("Div", List.of(centred, constant(g, "scale", scale)), List.of(scaled));
    return scaled;
  }

  private String oneHot(OnnxGraphBuilder g, int j) {
    CategoricalFit c = categorical.get(j);
    String index = g.fresh("column");
    g.initializerInt64(index, new long[] {}, new long[] {j});
    String column = g.fresh("column_" + j);
    g.node("Gather", List.of(CATEGORIES, index), List.of(column), Map.of("axis", 1L));
    List<String> keys = new ArrayList<>(c.categories());
    List<Long> values = new ArrayList<>();
    for (int h = 0; h < keys.size(); h++) {
      values.add((long) h);
    }
    if (c.fill() != null) {
      for (String marker : MissingValues.MARKERS) {
        keys.add(marker);
        values.add((long) c.categories().indexOf(c.fill()));
      }
    }
    String ids = g.fresh("ids_" + j);
    int depth = c.categories().size();
    // Unknown categories map to depth itself, outside OneHot's range, which the spec turns into all zeros.
    g.node(
        "ai.onnx.ml",
        "LabelEncoder",
        List.of(column),
        List.of(ids),
        Map.of(
            "keys_strings", keys.toArray(String[]::new),
            "values_int64s", values.stream().mapToLong(Long::longValue).toArray(),
            "default_int64", (long) depth));
    String depthName = g.fresh("depth");
    g.initializerInt64(depthName, new long[] {1}, new long[] {depth});
    String onOff = constant(g, "on_off", new float[] {0f, 1f});
    String hot = g.fresh("one_hot_" + j);
    g.node("OneHot", List.of(ids, depthName, onOff), List.of(hot), Map.of("axis", -1L));
    return hot;
  }

  private static String constant(OnnxGraphBuilder g, String hint, float[] values) {
    String name = g.fresh(hint);
    g.initializer(name, new long[] {values.length}, values);
    return name;
  }
}
