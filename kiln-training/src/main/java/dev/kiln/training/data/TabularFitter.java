package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fits {@link TabularPreprocessing} on a training split and applies it to any split. */
final class TabularFitter {
  private TabularFitter() {}

  static TabularPreprocessing fit(TabularData train, Scaling scaling, MissingPolicy missing) {
    List<TabularPreprocessing.NumericFit> numeric = new ArrayList<>();
    List<TabularPreprocessing.CategoricalFit> categorical = new ArrayList<>();
    for (TabularData.Column c : train.columns()) {
      if (c.kind() == ColumnKind.NUMERIC) {
        numeric.add(numeric(c, scaling, missing));
      } else {
        categorical.add(categorical(c, missing));
      }
    }
    return new TabularPreprocessing(numeric, categorical);
  }

  /** Prepared rows of {@code data}, {@code pre.width()} floats each. */
  static float[] transform(TabularPreprocessing pre, TabularData data) {
    int w = pre.width();
    float[] out = new float[data.size() * w];
    forEachRow(data, (x, s, r) -> pre.apply(x, s, out, r * w));
    return out;
  }

  /** {@link #transform} in double precision. */
  static double[] transformExact(TabularPreprocessing pre, TabularData data) {
    int w = pre.width();
    double[] out = new double[data.size() * w];
    forEachRow(data, (x, s, r) -> pre.applyExact(x, s, out, r * w));
    return out;
  }

  /** Receives one raw row: its numeric values, its categories, and its index. */
  private interface RowSink {
    void accept(double[] numbers, String[] categories, int row);
  }

  private static void forEachRow(TabularData data, RowSink sink) {
    List<TabularData.Column> nums = data.columns().stream().filter(c -> c.kind() == ColumnKind.NUMERIC).toList();
    List<TabularData.Column> cats = data.columns().stream().filter(c -> c.kind() == ColumnKind.CATEGORICAL).toList();
    double[] x = new double[nums.size()];
    String[] s = new String[cats.size()];
    for (int r = 0; r < data.size(); r++) {
      for (int i = 0; i < x.length; i++) {
        x[i] = nums.get(i).numbers()[r];
      }
      for (int j = 0; j < s.length; j++) {
        s[j] = cats.get(j).strings()[r];
      }
      sink.accept(x, s, r);
    }
  }

  private static TabularPreprocessing.NumericFit numeric(TabularData.Column c, Scaling scaling, MissingPolicy missing) {
    double[] v = Arrays.stream(c.numbers()).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return new TabularPreprocessing.NumericFit(c.name(), 0f, 0f, 1f);
    }
    double mean = Arrays.stream(v).sum() / v.length;
    double fill =
        switch (missing) {
          case MEDIAN -> median(v);
          case MODE -> mode(v);
          default -> mean;
        };
    return switch (scaling) {
      case NONE -> new TabularPreprocessing.NumericFit(c.name(), (float) fill, 0f, 1f);
      case MINMAX ->
          new TabularPreprocessing.NumericFit(c.name(), (float) fill, (float) v[0], nonZero(v[v.length - 1] - v[0]));
      case STANDARD -> {
        double var = Arrays.stream(v).map(d -> (d - mean) * (d - mean)).sum() / v.length;
        yield new TabularPreprocessing.NumericFit(c.name(), (float) fill, (float) mean, nonZero(Math.sqrt(var)));
      }
    };
  }

  /** A constant column would divide by zero; leaving it unscaled keeps it constant and finite. */
  private static float nonZero(double spread) {
    float f = (float) spread;
    return f > 0f && Float.isFinite(f) ? f : 1f;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double mode(double[] sorted) {
    double best = sorted[0];
    int bestRun = 0;
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      if (j - i > bestRun) {
        bestRun = j - i;
        best = sorted[i];
      }
      i = j;
    }
    return best;
  }

  private static TabularPreprocessing.CategoricalFit categorical(TabularData.Column c, MissingPolicy missing) {
    Map<String, Integer> counts = new HashMap<>();
    for (String s : c.strings()) {
      if (s != null) {
        counts.merge(s, 1, Integer::sum);
      }
    }
    List<String> categories = counts.keySet().stream().sorted(ClassOrder.INSTANCE).toList();
    String fill = null;
    if (missing.imputes()) {
      // Ties go to the category that sorts first, so the fill does not depend on hash order.
      for (String k : categories) {
        if (fill == null || counts.get(k) > counts.get(fill)) {
          fill = k;
        }
      }
    }
    return new TabularPreprocessing.CategoricalFit(c.name(), categories, fill);
  }
}
