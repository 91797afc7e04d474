package dev.kiln.training.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.TabularPreprocessing;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A seeded sample of a tabular model's training split as the exported model takes it ({@code features}, raw column
 * values): what {@code kiln.background} holds, so an explanation of the served model has rows standing in for absent
 * features without the caller sending any. The values are recovered from the prepared rows by undoing the scaling, so a
 * missing value shows as the fill the model gives it anyway; categorical columns are left out (explanations take one
 * FP32 input, and those values may be keyed hashes of personal data).
 */
public final class BackgroundSample {
  /** Most rows, as many as an explanation takes. */
  public static final int MAX_ROWS = 100;

  /** Most values in the sample, so a wide table keeps the model's metadata small (fewer rows, not fewer columns). */
  static final int MAX_VALUES = 20_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private BackgroundSample() {}

  /** The rows, {@code [rows][numeric columns]}; empty for text and image data or a model without numeric columns. */
  public static Optional<float[][]> of(PreparedData data, long seed) {
    if (!(data.preprocessing() instanceof TabularPreprocessing pre) || pre.numeric().isEmpty()) {
      return Optional.empty();
    }
    Examples train = data.train();
    int width = pre.numeric().size();
    int n = Math.min(train.count(), Math.min(MAX_ROWS, Math.max(1, MAX_VALUES / width)));
    if (n == 0) {
      return Optional.empty();
    }
    int[] picked = pick(train.count(), n, seed);
    float[][] rows = new float[n][width];
    int stride = train.rowSize();
    for (int r = 0; r < n; r++) {
      int at = picked[r] * stride; // numeric columns come first in a prepared row
      for (int i = 0; i < width; i++) {
        TabularPreprocessing.NumericFit fit = pre.numeric().get(i);
        rows[r][i] = train.features()[at + i] * fit.scale() + fit.offset();
      }
    }
    return Optional.of(rows);
  }

  /** {@link #of} as the JSON of {@code kiln.background}: {@code {"features": [[...], ...]}}. */
  public static Optional<String> json(PreparedData data, long seed) {
    return of(data, seed)
        .map(rows -> {
          try {
            // Numeric columns are the first raw input (features) whenever there are any.
            String input = data.preprocessing().rawInputs().get(0).name();
            return JSON.writeValueAsString(Map.of(input, rows));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("numbers always serialise", e);
          }
        });
  }

  /** {@code n} distinct row indexes of {@code count}, by a seeded partial Fisher-Yates shuffle, in ascending order. */
  private static int[] pick(int count, int n, long seed) {
    int[] all = new int[count];
    Arrays.setAll(all, i -> i);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(count - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] out = Arrays.copyOf(all, n);
    Arrays.sort(out);
    return out;
  }
}
