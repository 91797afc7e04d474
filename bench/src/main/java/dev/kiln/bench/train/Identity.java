package dev.kiln.bench.train;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.data.Preprocessing;
import java.util.List;

/** Inputs go to the model as they are: the benchmark's pixels are already what both sides train on. */
record Identity(List<Integer> shape) implements Preprocessing {
  @Override
  public List<TensorSpec> rawInputs() {
    long[] dims = new long[shape.size() + 1];
    dims[0] = -1;
    for (int i = 0; i < shape.size(); i++) {
      dims[i + 1] = shape.get(i);
    }
    return List.of(new TensorSpec("input", DataType.FP32, dims));
  }

  @Override
  public DataType outputType() {
    return DataType.FP32;
  }

  @Override
  public void appendOnnx(OnnxGraphBuilder graph, String output) {
    TensorSpec in = rawInputs().get(0);
    graph.input(in.name(), DataType.FP32, in.shape());
    graph.node("Identity", List.of(in.name()), List.of(output));
  }
}
