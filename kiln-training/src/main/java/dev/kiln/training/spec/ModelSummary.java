package dev.kiln.training.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A table like Keras's {@code model.summary()}: each layer's output shape and parameter count.
 *
 * <p>Counts follow the engine Kiln trains with (PyTorch through DJL): recurrent layers carry two bias vectors per gate
 * ({@code lstm}: {@code 4 (u (f + u) + 2u)}, {@code gru}: {@code 3 (u (f + u) + 2u)}), so an LSTM counts {@code 4u}
 * more than Keras shows. Batch normalisation's running mean and variance are parameters that are not trained, as in
 * Keras.
 *
 * @param inputShape one example's shape, without the batch dimension
 */
public record ModelSummary(List<Integer> inputShape, List<Row> rows) {
  /**
   * @param position from 1
   * @param nonTrainableParams the part of {@code params} that is state rather than weights (running statistics)
   */
  public record Row(int position, String kind, List<Integer> outputShape, long params, long nonTrainableParams) {
    public Row {
      Objects.requireNonNull(kind, "kind");
      outputShape = List.copyOf(outputShape);
    }
  }

  public ModelSummary {
    inputShape = List.copyOf(inputShape);
    rows = List.copyOf(rows);
  }

  /** Infers shapes (throwing {@link SpecException} for a layer that does not fit) and counts parameters. */
  public static ModelSummary of(List<Integer> inputShape, List<LayerSpec> layers) {
    List<Row> rows = new ArrayList<>(layers.size());
    List<Integer> in = inputShape;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      List<Integer> out = ShapeInference.outputShape(i + 1, layer, in);
      long frozen = layer instanceof LayerSpec.BatchNormalization ? 2L * features(in) : 0;
      rows.add(new Row(i + 1, layer.kind(), out, params(layer, in), frozen));
      in = out;
    }
    return new ModelSummary(inputShape, rows);
  }

  public List<Integer> outputShape() {
    return rows.isEmpty() ? inputShape : rows.getLast().outputShape();
  }

  public long totalParams() {
    return rows.stream().mapToLong(Row::params).sum();
  }

  public long trainableParams() {
    return totalParams() - rows.stream().mapToLong(Row::nonTrainableParams).sum();
  }

  /** Fixed-width text for the CLI. */
  public String render() {
    StringBuilder out = new StringBuilder();
    String format = "%-4s %-22s %-18s %12s%n";
    out.append(String.format(format, "#", "layer", "output shape", "params"));
    out.append(String.format(format, "", "input", inputShape, ""));
    for (Row row : rows) {
      out.append(String.format(format, row.position(), row.kind(), row.outputShape(), row.params()));
    }
    out.append(
        String.format(
            "total params: %d (trainable: %d, non-trainable: %d)%n",
            totalParams(), trainableParams(), totalParams() - trainableParams()));
    return out.toString();
  }

  private static long params(LayerSpec layer, List<Integer> in) {
    long last = in.getLast();
    return switch (layer) {
      case LayerSpec.Dense d -> last * d.units() + (d.useBias() ? d.units() : 0);
      case LayerSpec.Conv2D c ->
          (long) c.filters() * in.get(0) * c.kernelSize().get(0) * c.kernelSize().get(1) + c.filters();
      case LayerSpec.BatchNormalization b -> 4L * features(in);
      case LayerSpec.Embedding e -> (long) e.inputDim() * e.outputDim();
      case LayerSpec.Lstm l -> 4L * gate(l.units(), last);
      case LayerSpec.Gru g -> 3L * gate(g.units(), last);
      case LayerSpec.MaxPooling2D p -> 0;
      case LayerSpec.Flatten f -> 0;
      case LayerSpec.Reshape r -> 0;
      case LayerSpec.Dropout d -> 0;
      case LayerSpec.ActivationLayer a -> 0;
    };
  }

  /** Input and recurrent weights plus PyTorch's two biases, for one gate. */
  private static long gate(long units, long features) {
    return units * (features + units) + 2 * units;
  }

  /** Batch normalisation keeps statistics per feature, or per channel for images. */
  private static long features(List<Integer> in) {
    return in.size() == 3 ? in.get(0) : in.getLast();
  }
}
