package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * The transformation from a dataset's raw rows to model inputs, fitted on the training split only and stored with the
 * job, so that the exported model accepts raw rows and applies exactly what training saw.
 *
 * <p>Stored as JSON with a {@code kind} property naming the implementation; only the named subtypes below can be read
 * back, so a stored job cannot make Jackson instantiate an arbitrary class.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TabularPreprocessing.class, name = "tabular"),
  @JsonSubTypes.Type(value = ImagePreprocessing.class, name = "image"),
  @JsonSubTypes.Type(value = TextPreprocessing.class, name = "text"),
  @JsonSubTypes.Type(value = NgramPreprocessing.class, name = "ngrams")
})
public interface Preprocessing {
  /** The inputs a deployed model takes: raw rows as the dataset file held them. */
  List<TensorSpec> rawInputs();

  /** The element type of the model input this produces: FP32 features, or INT64 token ids. */
  DataType outputType();

  /**
   * Declares {@link #rawInputs()} on {@code graph} and appends the nodes that turn them into the model input, a tensor
   * named {@code output} of shape {@code [N, inputShape...]} and type {@link #outputType()}.
   */
  void appendOnnx(OnnxGraphBuilder graph, String output);
}
