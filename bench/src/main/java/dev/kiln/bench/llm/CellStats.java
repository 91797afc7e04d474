package dev.kiln.bench.llm;

import java.util.Arrays;
import java.util.List;

/**
 * What one side did at one concurrency, over every measured round.
 *
 * @param totalTokensPerSecond median over rounds of (tokens of every stream / (last end - first send))
 * @param streamTokensPerSecond median over every stream of its tokens / (its end - its send)
 * @param firstTokenP50Ms time to first token (send to first piece), over every stream
 * @param interTokenP50Ms gap between consecutive pieces, over every gap of every stream
 * @param tokensPerStream mean completion tokens per stream
 */
record CellStats(
    String side,
    int streams,
    int rounds,
    double totalTokensPerSecond,
    double streamTokensPerSecond,
    double firstTokenP50Ms,
    double firstTokenP95Ms,
    double interTokenP50Ms,
    double tokensPerStream) {

  static CellStats of(String side, int streams, List<List<Trace>> rounds) {
    double[] total = rounds.stream().mapToDouble(CellStats::totalTokensPerSecond).toArray();
    List<Trace> all = rounds.stream().flatMap(List::stream).toList();
    double[] perStream = all.stream().mapToDouble(Trace::tokensPerSecond).toArray();
    double[] ttft = all.stream().mapToDouble(t -> t.firstTokenNanos() / 1e6).toArray();
    double[] gaps = all.stream().flatMapToLong(t -> Arrays.stream(t.gaps())).mapToDouble(g -> g / 1e6).toArray();
    return new CellStats(
        side,
        streams,
        rounds.size(),
        percentile(total, 50),
        percentile(perStream, 50),
        percentile(ttft, 50),
        percentile(ttft, 95),
        percentile(gaps, 50),
        all.stream().mapToInt(Trace::tokens).average().orElse(Double.NaN));
  }

  private static double totalTokensPerSecond(List<Trace> round) {
    long first = round.stream().mapToLong(Trace::sent).min().orElseThrow();
    long last = round.stream().mapToLong(Trace::end).max().orElseThrow();
    return round.stream().mapToInt(Trace::tokens).sum() / ((last - first) / 1e9);
  }

  /** Nearest-rank percentile; NaN for no values. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p / 100 * v.length);
    return v[Math.max(rank, 1) - 1];
  }
}
