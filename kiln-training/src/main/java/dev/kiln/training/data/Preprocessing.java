package dev.kiln.training.data;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.engine.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * The transformation from a dataset's raw rows to model inputs, fitted on the training split only and stored
 * with the job, so that the exported model accepts raw rows and applies exactly what training saw.
 */
public interface Preprocessing {
  /** The inputs a deployed model takes: raw rows as the dataset file held them. */
  List<TensorSpec> rawInputs();

  /** The element type of the model input this produces: FP32 features, or INT64 token ids. */
  DataType outputType();

  /**
   * Declares {@link #rawInputs()} on {@code graph} and appends the nodes that turn them into the model input,
   * a tensor named {@code output} of shape {@code [N, inputShape...]} and type {@link #outputType()}.
   */
  void appendOnnx(OnnxGraphBuilder graph, String output);
}
