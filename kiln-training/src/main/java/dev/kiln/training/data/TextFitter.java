package dev.kiln.training.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fits {@link TextPreprocessing} on training texts: vocabulary by frequency, length by percentile. */
final class TextFitter {
  private TextFitter() {}

  static TextPreprocessing fit(List<String> texts, int maxVocabulary, Integer maxLength) {
    Map<String, Integer> counts = new HashMap<>();
    int[] lengths = new int[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      List<String> tokens = TextTokenizer.tokens(texts.get(i));
      lengths[i] = tokens.size();
      tokens.forEach(t -> counts.merge(t, 1, Integer::sum));
    }
    // Ties broken by the token itself so that the same data always gives the same ids.
    List<String> vocabulary =
        counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .limit(maxVocabulary)
            .map(Map.Entry::getKey)
            .toList();
    return new TextPreprocessing(vocabulary, maxLength != null ? maxLength : percentileLength(lengths));
  }

  /** The 95th percentile (nearest rank) of token counts, at least 1 and at most 256. */
  static int percentileLength(int[] lengths) {
    if (lengths.length == 0) {
      return 1;
    }
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(0.95 * sorted.length) - 1;
    return Math.clamp(sorted[Math.max(0, rank)], 1, PrepareOptions.MAX_AUTO_LENGTH);
  }
}
