package dev.kiln.training.spec;

/**
 * Stops when the monitored quantity has not improved by {@code minDelta} for {@code patience} epochs, keeping the best
 * epoch's weights.
 *
 * @param monitor {@code loss}, {@code accuracy}, {@code mae}, {@code mse} or {@code rmse}, or one with {@code val_};
 *     null until {@link SpecValidator#validateSettings} resolves it (the spec's first metric, else {@code val_loss})
 */
public record EarlyStopping(String monitor, Integer patience, Double minDelta) {
  public EarlyStopping {
    patience = patience == null ? 3 : patience;
    minDelta = minDelta == null ? 0.0 : minDelta;
  }

  public boolean higherIsBetter() {
    return monitor.endsWith("accuracy");
  }
}
