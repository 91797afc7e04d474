package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep as a table, one row per trial (the best marked {@code *}), and its live form: on a terminal the table is
 * redrawn in place as the trials run; elsewhere (a pipe, a CI log) a line is printed as each trial ends and the table
 * once at the end, so logs stay readable.
 */
final class SweepTable {
  private final PrintStream out;
  private final boolean redraw;
  private int drawn;
  private final List<String> reported = new ArrayList<>();

  SweepTable(PrintStream out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  /** The table's lines: a heading, the trials, and the best so far. */
  static List<String> render(JsonNode s) {
    List<String> lines = new ArrayList<>();
    String metric = s.at("/objective/metric").asText();
    lines.add(
        String.format(
            Locale.ROOT,
            "sweep %d  %s  %s, objective %s (%s)",
            s.path("id").asLong(),
            s.path("state").asText(),
            s.path("strategy").asText(),
            metric,
            s.at("/objective/direction").asText()));
    lines.add(
        String.format(
            Locale.ROOT,
            "  %5s %6s %-10s %6s %12s  %s",
            "TRIAL",
            "JOB",
            "STATE",
            "EPOCHS",
            metric.toUpperCase(Locale.ROOT),
            "SETTINGS"));
    int best = s.path("best").asInt(-1);
    for (JsonNode t : s.path("trials")) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%s %5d %6d %-10s %6s %12s  %s",
              t.path("number").asInt() == best ? " *" : "  ",
              t.path("number").asInt(),
              t.path("job").asLong(),
              t.path("state").asText(),
              t.path("epochs").asInt() + (t.path("stopped_early").asBoolean() ? "es" : ""),
              t.hasNonNull("objective") ? String.format(Locale.ROOT, "%.5g", t.get("objective").asDouble()) : "-",
              settings(t)));
    }
    if (best > 0) {
      lines.add(
          String.format(
              Locale.ROOT,
              "best: trial %d (%s) %s %.5g, job %d",
              best,
              settings(s.path("trials").get(best - 1)),
              metric,
              s.path("best_value").asDouble(),
              s.path("best_job").asLong()));
    }
    return lines;
  }

  /** {@code learning_rate=0.01, batch_size=32}. */
  static String settings(JsonNode trial) {
    List<String> parts = new ArrayList<>();
    trial.path("settings").properties().forEach(e -> parts.add(e.getKey() + "=" + value(e.getValue())));
    return String.join(", ", parts);
  }

  /** Floats to 4 significant digits without trailing zeros ({@code 0.0001}, {@code 0.3}); anything else as JSON. */
  private static String value(JsonNode v) {
    if (v.isFloatingPointNumber() && Double.isFinite(v.asDouble())) {
      return new BigDecimal(v.asDouble()).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
    return v.isTextual() ? v.asText() : v.toString();
  }

  /** Shows the sweep as it is now: redrawn on a terminal, else a line per newly finished trial. */
  void update(JsonNode s) {
    if (redraw) {
      if (drawn > 0) {
        out.print("\033[" + drawn + "F"); // back to the table's first line
      }
      List<String> lines = render(s);
      for (String line : lines) {
        out.print("\033[2K" + line + "\n");
      }
      out.flush();
      drawn = lines.size();
      return;
    }
    for (JsonNode t : s.path("trials")) {
      String state = t.path("state").asText();
      String key = t.path("number").asText();
      if (!state.matches("QUEUED|RUNNING") && !reported.contains(key)) {
        reported.add(key);
        out.printf(
            Locale.ROOT,
            "trial %d %s%s (%s)%n",
            t.path("number").asInt(),
            state.toLowerCase(Locale.ROOT),
            t.hasNonNull("objective")
                ? String.format(
                    Locale.ROOT, ": %s %.5g", s.at("/objective/metric").asText(), t.get("objective").asDouble())
                : t.hasNonNull("error") ? ": " + t.get("error").asText() : "",
            settings(t));
      }
    }
  }

  /** Follows a sweep until it ends (polling once a second); returns the final sweep. */
  static JsonNode follow(KilnClient client, long id, PrintStream out, boolean redraw) throws InterruptedException {
    SweepTable table = new SweepTable(out, redraw);
    while (true) {
      JsonNode s = client.get("/api/v1/sweeps/" + id);
      table.update(s);
      if (!s.path("state").asText().matches("QUEUED|RUNNING")) {
        if (!redraw) {
          render(s).forEach(out::println);
        }
        return s;
      }
      Thread.sleep(1000);
    }
  }
}
