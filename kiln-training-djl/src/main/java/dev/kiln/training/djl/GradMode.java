package dev.kiln.training.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Sets libtorch's autograd recording on this thread until closed, then restores what was there.
 *
 * <p>libtorch keeps grad mode per OS thread, and a thread it has never seen starts with recording on. DJL turns it off
 * only on the thread that loaded the engine, and its gradient collector restores the mode it found. So a job that ran
 * on a new thread of the job pool updated weights in place with recording on, and libtorch refused ("a leaf Variable
 * that requires grad is being used in an in-place operation"). Every entry point into the engine states the mode it
 * needs instead of inheriting the thread's.
 *
 * <p>Kiln records gradients with this rather than DJL's {@code GradientCollector}, which allows one collector per
 * process (a static flag) and so failed every step of a second job training at once ({@code --training-jobs 2}).
 * Recording is per thread in libtorch, and each job differentiates its own graph.
 */
final class GradMode implements AutoCloseable {
  private final boolean previous;

  private GradMode(boolean enabled) {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
  }

  /** Nothing is recorded until closed: weight updates, evaluation, prediction. */
  static GradMode off() {
    return new GradMode(false);
  }

  /** Operations are recorded until closed, for {@link #backward}. */
  static GradMode recording() {
    return new GradMode(true);
  }

  /** Accumulates d(loss)/d(parameter) into each parameter's gradient; the loss's graph is freed. */
  void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
