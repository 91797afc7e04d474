package dev.kiln.training.spec;

/**
 * Stops when the monitored quantity has not improved by {@code minDelta} for {@code patience} epochs, keeping the best
 * epoch's weights.
 *
 * @param monitor {@code val_loss} (default), {@code loss}, {@code val_accuracy} or {@code accuracy}
 */
public record EarlyStopping(String monitor, Integer patience, Double minDelta) {
  public EarlyStopping {
    monitor = monitor == null ? "val_loss" : monitor;
    patience = patience == null ? 3 : patience;
    minDelta = minDelta == null ? 0.0 : minDelta;
  }

  public boolean higherIsBetter() {
    return monitor.endsWith("accuracy");
  }
}
