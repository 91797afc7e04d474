package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Draws a job's progress on a terminal: one line redrawn per step, then a permanent line per epoch in the shape Keras
 * users know ({@code epoch 3/10 ████████░░ loss 0.214 acc 0.941 val_loss 0.233 val_acc 0.936 1.2 s}).
 */
final class ProgressBar {
  private static final int WIDTH = 10;

  private final PrintStream out;
  private final boolean redraw;
  private int drawn;

  /**
   * @param redraw false when the output is not a terminal: step lines are left out, epoch lines remain
   */
  ProgressBar(PrintStream out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  void step(JsonNode p) {
    if (!redraw) {
      return;
    }
    int step = p.path("step").asInt();
    int steps = Math.max(1, p.path("steps").asInt());
    String line =
        String.format(
            Locale.ROOT,
            "epoch %d/%d %s %d/%d loss %.4f  %.0f ex/s  ETA %s",
            p.path("epoch").asInt(),
            p.path("epochs").asInt(),
            bar(step, steps),
            step,
            steps,
            p.path("loss").asDouble(),
            p.path("examples_per_second").asDouble(),
            eta(p.path("eta_seconds").asDouble(Double.NaN)));
    clear();
    out.print(line);
    out.flush();
    drawn = line.length();
  }

  void epoch(JsonNode e) {
    clear();
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "epoch %d/%d %s loss %.3f",
                e.path("epoch").asInt(),
                e.path("epochs").asInt(),
                bar(1, 1),
                e.path("loss").asDouble()));
    metric(line, "acc", e.path("accuracy"));
    metric(line, "val_loss", e.path("val_loss"));
    metric(line, "val_acc", e.path("val_accuracy"));
    // The regression metrics a spec lists, as the epoch names them.
    for (String name : List.of("mae", "val_mae", "mse", "val_mse", "rmse", "val_rmse")) {
      metric(line, name, e.path(name));
    }
    line.append(String.format(Locale.ROOT, "  %.1f s", e.path("seconds").asDouble()));
    out.println(line);
    drawn = 0;
  }

  void message(String text) {
    clear();
    out.println(text);
  }

  private static void metric(StringBuilder line, String name, JsonNode v) {
    if (v.isNumber() && !Double.isNaN(v.asDouble())) {
      line.append(String.format(Locale.ROOT, " %s %.3f", name, v.asDouble()));
    }
  }

  private void clear() {
    if (redraw && drawn > 0) {
      out.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }

  static String bar(int done, int total) {
    int full = (int) Math.round((double) WIDTH * done / total);
    return "█".repeat(full) + "░".repeat(WIDTH - full);
  }

  static String eta(double seconds) {
    if (Double.isNaN(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 60 ? s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
