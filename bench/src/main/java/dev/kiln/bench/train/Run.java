package dev.kiln.bench.train;

import java.util.List;

/**
 * One training run of one side.
 *
 * @param epochSeconds wall time of each epoch's training loop (no evaluation), in order
 * @param epochCpuSeconds CPU time of the training thread in each epoch (with one intra-op thread libtorch computes on
 *     the caller's thread), which other processes on a shared host disturb far less than wall time; Kiln's first epoch
 *     includes building the model
 * @param accuracy test accuracy after the last epoch, 0 to 1
 */
record Run(
    Side side,
    Net net,
    int threads,
    int repetition,
    List<Double> epochSeconds,
    List<Double> epochCpuSeconds,
    double accuracy) {
  enum Side {
    KILN,
    PYTORCH
  }

  Run {
    epochSeconds = List.copyOf(epochSeconds);
    epochCpuSeconds = List.copyOf(epochCpuSeconds);
  }
}
