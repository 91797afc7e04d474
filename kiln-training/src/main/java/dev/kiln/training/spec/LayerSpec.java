package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;

/**
 * One layer of a Keras-style sequential model. Shapes exclude the batch dimension; images are channels-first ({@code
 * [channels, height, width]}), sequences are {@code [steps, features]}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = LayerSpec.Dense.class, name = "dense"),
  @JsonSubTypes.Type(value = LayerSpec.Conv2D.class, name = "conv2d"),
  @JsonSubTypes.Type(value = LayerSpec.MaxPooling2D.class, name = "max_pooling2d"),
  @JsonSubTypes.Type(value = LayerSpec.Flatten.class, name = "flatten"),
  @JsonSubTypes.Type(value = LayerSpec.Reshape.class, name = "reshape"),
  @JsonSubTypes.Type(value = LayerSpec.Dropout.class, name = "dropout"),
  @JsonSubTypes.Type(value = LayerSpec.BatchNormalization.class, name = "batch_normalization"),
  @JsonSubTypes.Type(value = LayerSpec.Embedding.class, name = "embedding"),
  @JsonSubTypes.Type(value = LayerSpec.Lstm.class, name = "lstm"),
  @JsonSubTypes.Type(value = LayerSpec.Gru.class, name = "gru"),
  @JsonSubTypes.Type(value = LayerSpec.ActivationLayer.class, name = "activation"),
})
public sealed interface LayerSpec {
  /** The spec's name for this kind of layer, as written in YAML ({@code dense}, {@code conv2d}, ...). */
  default String kind() {
    return getClass().getAnnotation(Kind.class).value();
  }

  /** Every layer type a spec may name, in declaration order. */
  static List<String> kinds() {
    return Arrays.stream(LayerSpec.class.getAnnotation(JsonSubTypes.class).value())
        .map(JsonSubTypes.Type::name)
        .toList();
  }

  /** Fully connected: {@code y = activation(x W^T + b)} over the last axis. */
  @Kind("dense")
  record Dense(int units, Activation activation, Boolean useBias) implements LayerSpec {
    public Dense {
      activation = activation == null ? Activation.LINEAR : activation;
      useBias = useBias == null || useBias;
    }
  }

  /** 2-D convolution over {@code [channels, height, width]}. */
  @Kind("conv2d")
  record Conv2D(int filters, List<Integer> kernelSize, List<Integer> strides, Padding padding, Activation activation)
      implements LayerSpec {
    public Conv2D {
      kernelSize = pair(kernelSize, 3);
      strides = pair(strides, 1);
      padding = padding == null ? Padding.VALID : padding;
      activation = activation == null ? Activation.LINEAR : activation;
    }
  }

  /** Max pooling; strides default to the pool size, as in Keras. */
  @Kind("max_pooling2d")
  record MaxPooling2D(List<Integer> poolSize, List<Integer> strides) implements LayerSpec {
    public MaxPooling2D {
      poolSize = pair(poolSize, 2);
      strides = strides == null ? poolSize : pair(strides, 2);
    }
  }

  @Kind("flatten")
  record Flatten() implements LayerSpec {}

  /** Reinterprets each example as {@code targetShape} (e.g. 64 pixels as {@code [1, 8, 8]} for a CNN). */
  @Kind("reshape")
  record Reshape(List<Integer> targetShape) implements LayerSpec {
    public Reshape {
      targetShape = targetShape == null ? null : List.copyOf(targetShape);
    }
  }

  /** Drops a fraction {@code rate} of activations while training; the identity at inference. */
  @Kind("dropout")
  record Dropout(double rate) implements LayerSpec {}

  /** Normalises the feature (or channel) axis with running statistics at inference. */
  @Kind("batch_normalization")
  record BatchNormalization(Double momentum, Double epsilon) implements LayerSpec {
    public BatchNormalization {
      momentum = momentum == null ? 0.99 : momentum;
      epsilon = epsilon == null ? 1e-3 : epsilon;
    }
  }

  /** Token ids {@code [steps]} to vectors {@code [steps, outputDim]}; {@code inputDim} is the vocabulary size. */
  @Kind("embedding")
  record Embedding(int inputDim, int outputDim) implements LayerSpec {}

  /** Long short-term memory over {@code [steps, features]}; the last step's output unless returnSequences. */
  @Kind("lstm")
  record Lstm(int units, Boolean returnSequences) implements LayerSpec {
    public Lstm {
      returnSequences = returnSequences != null && returnSequences;
    }
  }

  /** Gated recurrent unit, with PyTorch's (and ONNX's linear_before_reset) formulation. */
  @Kind("gru")
  record Gru(int units, Boolean returnSequences) implements LayerSpec {
    public Gru {
      returnSequences = returnSequences != null && returnSequences;
    }
  }

  /** A standalone activation. */
  @Kind("activation")
  record ActivationLayer(Activation activation) implements LayerSpec {}

  enum Padding {
    @JsonProperty("valid")
    VALID,
    @JsonProperty("same")
    SAME
  }

  private static List<Integer> pair(List<Integer> v, int dflt) {
    if (v == null || v.isEmpty()) {
      return List.of(dflt, dflt);
    }
    return v.size() == 1 ? List.of(v.get(0), v.get(0)) : List.copyOf(v);
  }
}
