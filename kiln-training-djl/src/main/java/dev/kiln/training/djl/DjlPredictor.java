package dev.kiln.training.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.kiln.training.data.Examples;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.TrainedModel;
import java.util.List;

/** Runs a trained DJL network in inference mode and applies the plan's head, as the exported model does. */
final class DjlPredictor implements TrainedModel.Predictor {
  private final Model model;
  private final NetworkPlan.Head head;
  private final Shape rowShape;
  private final boolean tokens;

  DjlPredictor(Model model, NetworkPlan.Head head, List<Integer> inputShape, boolean tokens) {
    this.model = model;
    this.head = head;
    this.rowShape = new Shape(inputShape.stream().mapToLong(Integer::longValue).toArray());
    this.tokens = tokens;
  }

  @Override
  public synchronized float[] predict(Examples rows) {
    // Prediction runs on callers' threads, where libtorch may still record a graph nobody will differentiate.
    try (GradMode off = GradMode.off();
        NDManager m = model.getNDManager().newSubManager()) {
      NDArray x = m.create(rows.features(), new Shape(rows.count()).addAll(rowShape));
      if (tokens) {
        x = x.toType(DataType.INT64, false);
      }
      NDArray out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
      NDArray pred =
          switch (head) {
            case SOFTMAX -> out.softmax(-1);
            case SIGMOID -> {
              NDArray p = out.getNDArrayInternal().sigmoid().reshape(-1, 1);
              yield p.neg().add(1).concat(p, 1);
            }
            case NONE -> out;
          };
      return pred.toFloatArray();
    }
  }

  @Override
  public synchronized void close() {
    model.close();
  }
}
