package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * A lookup table from token ids to vectors. DJL's own embedding blocks are tied to its text vocabularies; Kiln's
 * datasets already hold ids, so this block is only the table and libtorch's {@code embedding} op.
 */
final class EmbeddingBlock extends AbstractBlock {
  private final int vocabulary;
  private final int dimension;
  private final Parameter weight;

  EmbeddingBlock(int vocabulary, int dimension) {
    this.vocabulary = vocabulary;
    this.dimension = dimension;
    // Keras initialises embeddings uniformly in ±0.05; a small normal does the same job.
    this.weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocabulary, dimension))
                .optInitializer(new NormalInitializer(0.05f))
                .build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.singletonOrThrow();
    if (ids.getDataType() != DataType.INT64) {
      ids = ids.toType(DataType.INT64, false);
    }
    NDArray table = store.getValue(weight, ids.getDevice(), training);
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].addAll(new Shape(dimension))};
  }

  @Override
  public String toString() {
    return "Embedding(" + vocabulary + ", " + dimension + ")";
  }
}
