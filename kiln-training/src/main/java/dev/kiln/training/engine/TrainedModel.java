package dev.kiln.training.engine;

import dev.kiln.training.data.Examples;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of a run: weights in an engine-independent layout, and the engine's own predictions (the reference the
 * exported ONNX model is checked against).
 *
 * <p>Parameter layout per layer index, PyTorch's conventions: dense {@code weight [out, in]}, {@code bias [out]};
 * conv2d {@code weight [out, in, kh, kw]}, {@code bias}; batch_normalization {@code gamma, beta, running_mean,
 * running_var}; embedding {@code weight [vocab, dim]}; lstm {@code w_ih [4H, in], w_hh [4H, H], b_ih, b_hh} with gates
 * in the order i, f, g, o; gru the same with {@code 3H} and gates r, z, n. Linear and logistic regression are one dense
 * layer at index 0.
 *
 * @param params layer index → parameter name → tensor (layers without parameters are absent)
 * @param history one entry per epoch trained, across resumes
 * @param bestEpoch the epoch whose weights these are (differs from the last with early stopping)
 */
public record TrainedModel(
    Map<Integer, Map<String, Param>> params,
    List<EpochMetrics> history,
    int bestEpoch,
    boolean stoppedEarly,
    Predictor predictor)
    implements AutoCloseable {

  @Override
  public void close() {
    predictor.close();
  }

  /** Runs the trained model in the training engine; holds the engine's native memory until closed. */
  public interface Predictor extends AutoCloseable {
    /**
     * Model outputs for each row, row-major: class probabilities for classification ({@code classes} per row; a binary
     * sigmoid model gives two), the predicted value for regression (one per row).
     */
    float[] predict(Examples rows);

    /**
     * A linear or logistic regression fitted in double precision ({@link ExactFit}): one row per output, its weights
     * over the prepared features then its intercept. Empty for other models, whose {@link TrainedModel#params()} are
     * all there is (in single precision, as exported).
     */
    default Optional<double[][]> linearWeights() {
      return Optional.empty();
    }

    @Override
    void close();
  }
}
