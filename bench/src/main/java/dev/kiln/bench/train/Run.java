package dev.kiln.bench.train;

import java.util.List;

/**
 * One training run of one side.
 *
 * @param epochSeconds wall time of each epoch's training loop (no evaluation), in order
 * @param accuracy test accuracy after the last epoch, 0 to 1
 */
record Run(Side side, Net net, int threads, int repetition, List<Double> epochSeconds, double accuracy) {
  enum Side {
    KILN,
    PYTORCH
  }

  Run {
    epochSeconds = List.copyOf(epochSeconds);
  }
}
