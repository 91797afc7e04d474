package dev.kiln.training.spec;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What an epoch can report, by the names Keras gives them in {@code compile(metrics=[...])} and in a history: {@code
 * loss} always, {@code accuracy} for classifiers, {@code mae}, {@code mse} and {@code rmse} for regression when listed
 * (each with its {@code val_} twin). Keras's other spellings of the same quantity are read as these.
 */
public enum Metric {
  LOSS("loss", List.of(), false),
  ACCURACY("accuracy", List.of("acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"), true),
  MAE("mae", List.of("mean_absolute_error"), false),
  MSE("mse", List.of("mean_squared_error"), false),
  RMSE("rmse", List.of("root_mean_squared_error"), false);

  private final String key;
  private final List<String> aliases;
  private final boolean classification;

  Metric(String key, List<String> aliases, boolean classification) {
    this.key = key;
    this.aliases = aliases;
    this.classification = classification;
  }

  /** The name epochs report it under (without {@code val_}). */
  public String key() {
    return key;
  }

  /** Whether it needs a classification task ({@code accuracy}) or, for the error metrics, a regression one. */
  boolean forClassification() {
    return classification;
  }

  /** A metric by any of its Keras names, case-insensitive. */
  public static Optional<Metric> of(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Metric m : values()) {
      if (m.key.equals(n) || m.aliases.contains(n)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * A monitor such as {@code val_mean_absolute_error} in its reported form ({@code val_mae}); unknown names as given.
   */
  public static String monitor(String name) {
    boolean val = name.startsWith("val_");
    return of(val ? name.substring(4) : name).map(m -> (val ? "val_" : "") + m.key).orElse(name);
  }

  /** Every accepted name, for error messages. */
  public static String allowed() {
    StringBuilder s = new StringBuilder();
    for (Metric m : values()) {
      s.append(s.isEmpty() ? "" : ", ").append(m.key);
      m.aliases.forEach(a -> s.append(", ").append(a));
    }
    return s.toString();
  }
}
