package dev.kiln.training.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a text dataset looks like to a model with the dataset's own {@code preparation} ({@link TextPreparation}, by
 * default none), measured once at upload over all its texts, so that a user sees what training will see before choosing
 * {@code max_vocabulary}, {@code max_length} or {@code min_count}. A job fits its vocabulary on its training split
 * only, so its numbers differ a little.
 *
 * @param tokenizer the mode the dataset's {@code tokenizer} gives ({@code words} or {@code chars}, lower-cased); for
 *     {@code auto}, the one it picks for these texts
 * @param tokens token count over all texts
 * @param vocabulary distinct tokens
 * @param maxVocabulary the vocabulary cap (the dataset's, else the default) the coverage is measured at
 * @param coverage share of all tokens whose token is among the {@code maxVocabulary} most frequent seen at least {@code
 *     min_count} times: the rest become the unknown token
 * @param lengths tokens per text
 * @param maxLength the {@code max_length} a job takes by default: the dataset's, else the 95th percentile of lengths,
 *     at most 256
 * @param truncated share of texts longer than {@code maxLength}, which a sequence model sees cut
 * @param classCounts texts per class, in the manifest's class order
 */
public record TextReport(
    Tokenization.Mode tokenizer,
    long tokens,
    int vocabulary,
    int maxVocabulary,
    double coverage,
    Lengths lengths,
    int maxLength,
    double truncated,
    Map<String, Long> classCounts) {
  public TextReport {
    classCounts = Collections.unmodifiableMap(new LinkedHashMap<>(classCounts));
  }

  /**
   * Percentiles (nearest rank) of the tokens per text.
   *
   * @param empty texts with no token at all (only separators), which every model sees as the same input
   */
  public record Lengths(double mean, int p50, int p90, int p99, int max, long empty) {}

  /** The report of {@code data} under the default {@link TextOptions} and {@link PrepareOptions}. */
  public static TextReport of(TextData data, List<String> classes) {
    return of(data, classes, PrepareOptions.defaults());
  }

  /**
   * The report of {@code data} as a job with {@code options} sees it (the dataset's own {@link TextPreparation}): its
   * tokenisation, and coverage by its vocabulary cap and {@code min_count}.
   */
  public static TextReport of(TextData data, List<String> classes, PrepareOptions options) {
    Tokenization tokenization = options.text().tokenization(data.texts());
    Map<String, Long> counts = new HashMap<>();
    int[] lengths = new int[data.texts().size()];
    long tokens = 0;
    for (int i = 0; i < lengths.length; i++) {
      List<String> t = tokenization.tokens(data.texts().get(i));
      lengths[i] = t.size();
      tokens += t.size();
      t.forEach(token -> counts.merge(token, 1L, Long::sum));
    }
    int cap = options.maxVocabulary();
    long covered =
        counts.values().stream()
            .filter(n -> n >= options.text().minCount())
            .sorted(Collections.reverseOrder())
            .limit(cap)
            .mapToLong(Long::longValue)
            .sum();
    int maxLength = options.maxLength() != null ? options.maxLength() : TextFitter.percentileLength(lengths);
    long truncated = Arrays.stream(lengths).filter(n -> n > maxLength).count();
    Map<String, Long> perClass = new LinkedHashMap<>();
    classes.forEach(c -> perClass.put(c, 0L));
    data.labels().forEach(l -> perClass.merge(l, 1L, Long::sum));
    return new TextReport(
        tokenization.mode(),
        tokens,
        counts.size(),
        cap,
        tokens == 0 ? 1 : round((double) covered / tokens),
        lengths(lengths, tokens),
        maxLength,
        lengths.length == 0 ? 0 : round((double) truncated / lengths.length),
        perClass);
  }

  private static Lengths lengths(int[] lengths, long tokens) {
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    long empty = Arrays.stream(sorted).filter(n -> n == 0).count();
    return new Lengths(
        sorted.length == 0 ? 0 : round((double) tokens / sorted.length),
        rank(sorted, 0.5),
        rank(sorted, 0.9),
        rank(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1],
        empty);
  }

  /** The nearest-rank percentile {@code p} of sorted values; 0 for none. */
  private static int rank(int[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** Four decimals: a report is read by people, and stored manifests should not differ in the 16th digit. */
  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
