package dev.kiln.training.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Fits {@link TextPreprocessing} (vocabulary by frequency, length by percentile) or {@link NgramPreprocessing} (n-grams
 * by frequency, inverse document frequencies) on the training texts only.
 */
final class TextFitter {
  private TextFitter() {}

  static TextFeatures fit(List<String> texts, PrepareOptions o) {
    TextOptions t = o.text();
    Tokenization tokenization = t.tokenization(texts);
    return t.features() == TextOptions.Features.TFIDF
        ? bag(texts, tokenization, t.ngrams(), t.minCount(), o.maxVocabulary())
        : ids(texts, tokenization, t.minCount(), o.maxVocabulary(), o.maxLength());
  }

  static TextPreprocessing fit(List<String> texts, int maxVocabulary, Integer maxLength) {
    return ids(texts, Tokenization.LEGACY, 1, maxVocabulary, maxLength);
  }

  private static TextPreprocessing ids(
      List<String> texts, Tokenization tokenization, int minCount, int maxVocabulary, Integer maxLength) {
    Map<String, Integer> counts = new HashMap<>();
    int[] lengths = new int[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      List<String> tokens = tokenization.tokens(texts.get(i));
      lengths[i] = tokens.size();
      tokens.forEach(t -> counts.merge(t, 1, Integer::sum));
    }
    List<String> vocabulary = frequent(counts, minCount, maxVocabulary);
    return new TextPreprocessing(vocabulary, maxLength != null ? maxLength : percentileLength(lengths), tokenization);
  }

  private static NgramPreprocessing bag(
      List<String> texts, Tokenization tokenization, int ngrams, int minCount, int maxVocabulary) {
    Map<String, Integer> counts = new HashMap<>();
    Map<String, Integer> documents = new HashMap<>();
    for (String text : texts) {
      List<String> grams = NgramPreprocessing.grams(tokenization.tokens(text), ngrams);
      grams.forEach(g -> counts.merge(g, 1, Integer::sum));
      new HashSet<>(grams).forEach(g -> documents.merge(g, 1, Integer::sum));
    }
    List<String> kept = frequent(counts, minCount, maxVocabulary);
    if (kept.isEmpty()) {
      throw new DatasetException("the training texts hold no token seen at least " + minCount + " times");
    }
    // Shorter n-grams first (TfIdfVectorizer's pool order), by frequency within a length.
    Map<String, Integer> rank = new HashMap<>();
    kept.forEach(g -> rank.put(g, rank.size()));
    List<String> vocabulary =
        kept.stream().sorted(Comparator.comparingInt(TextFitter::length).thenComparing(rank::get)).toList();
    float[] idf = new float[vocabulary.size()];
    for (int i = 0; i < idf.length; i++) {
      idf[i] = (float) (Math.log((1.0 + texts.size()) / (1.0 + documents.get(vocabulary.get(i)))) + 1);
    }
    return new NgramPreprocessing(tokenization, ngrams, vocabulary, idf);
  }

  /** The entries seen at least {@code minCount} times, most frequent first, at most {@code max}. */
  private static List<String> frequent(Map<String, Integer> counts, int minCount, int max) {
    // Ties broken by the entry itself so that the same data always gives the same ids.
    return counts.entrySet().stream()
        .filter(e -> e.getValue() >= minCount)
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(max)
        .map(Map.Entry::getKey)
        .toList();
  }

  private static int length(String gram) {
    return (int) gram.chars().filter(c -> c == ' ').count() + 1;
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
