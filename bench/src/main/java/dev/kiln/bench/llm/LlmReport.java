package dev.kiln.bench.llm;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The Markdown report: per concurrency, the in-process row (the limit) and the other rows compared with it. */
final class LlmReport {
  private LlmReport() {}

  /** {@code cells} holds, per concurrency, the in-process cell followed by the others (child process, Kiln). */
  static void print(PrintStream out, List<String> header, List<CellStats> cells) {
    out.println("## Language models: tokens/s and time to first token");
    out.println();
    header.forEach(line -> out.println("- " + line));
    out.println();
    out.println(
        "| streams | mode | total tok/s | per-stream tok/s | TTFT p50 ms | TTFT p95 ms | inter-token p50 ms "
            + "| tokens/stream | ÷ in-process tok/s | TTFT overhead ms |");
    out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    CellStats limit = cells.getFirst();
    for (CellStats c : cells) {
      if (c.side().equals("in-process")) {
        limit = c;
        out.println(row(c, "", ""));
      } else {
        out.println(
            row(
                c,
                fmt("%.2f", c.totalTokensPerSecond() / limit.totalTokensPerSecond()),
                fmt("%+.1f", c.firstTokenP50Ms() - limit.firstTokenP50Ms())));
      }
    }
    out.println();
    out.println(
        "*Total tok/s*: completion tokens of all streams of a round / (last stream's end − first request "
            + "sent), median over rounds. *Per-stream tok/s*: a stream's tokens / (its end − its request sent), median "
            + "over streams. *TTFT*: request sent → first text piece read (in-process: `generate` called → first "
            + "`TokenSink.text`). *Inter-token*: gap between consecutive pieces. *TTFT overhead*: the row's TTFT p50 − "
            + "in-process TTFT p50. *child-process*: the model through `ProcessEngine` (llama.cpp in a child JVM, "
            + "a Unix-domain socket between), called directly.");
  }

  private static String row(CellStats c, String ratio, String overhead) {
    return fmt(
        "| %d | %s | %.1f | %.1f | %.2f | %.2f | %.3f | %.0f | %s | %s |",
        c.streams(),
        c.side(),
        c.totalTokensPerSecond(),
        c.streamTokensPerSecond(),
        c.firstTokenP50Ms(),
        c.firstTokenP95Ms(),
        c.interTokenP50Ms(),
        c.tokensPerStream(),
        ratio,
        overhead);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
