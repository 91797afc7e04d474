package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How a text dataset is tokenised and turned into model input; null fields take their defaults.
 *
 * @param tokenizer {@link Choice#AUTO} (the default) picks the mode from the training texts ({@link
 *     Tokenization#detect})
 * @param features token ids for sequence models ({@link Features#IDS}, the default) or a TF-IDF bag of n-grams
 * @param ngrams the bag's longest n-gram, 1 to 3, counted over tokens (characters of Chinese, Japanese and Thai, words
 *     elsewhere); default 2. Ignored for ids
 * @param lowercase default true
 * @param normalize NFKC before tokenising, in training only (no ONNX operator does it); default false
 * @param minCount a token or n-gram seen fewer times in the training texts is left out of the vocabulary; default 1
 */
public record TextOptions(
    Choice tokenizer, Features features, Integer ngrams, Boolean lowercase, Boolean normalize, Integer minCount) {
  public static final TextOptions DEFAULTS = new TextOptions(null, null, null, null, null, null);

  /** The {@code tokenizer} option. */
  public enum Choice {
    @JsonProperty("auto")
    AUTO,
    @JsonProperty("words")
    WORDS,
    @JsonProperty("chars")
    CHARS
  }

  /** What a text becomes. */
  public enum Features {
    /** {@code max_length} token ids, for embedding layers. */
    @JsonProperty("ids")
    IDS,
    /** A TF-IDF vector over the vocabulary's n-grams, L2-normalised, as scikit-learn's {@code TfidfVectorizer}. */
    @JsonProperty("tfidf")
    TFIDF
  }

  public TextOptions {
    tokenizer = tokenizer == null ? Choice.AUTO : tokenizer;
    features = features == null ? Features.IDS : features;
    ngrams = ngrams == null ? 2 : ngrams;
    lowercase = lowercase == null || lowercase;
    normalize = normalize != null && normalize;
    minCount = minCount == null ? 1 : minCount;
    if (ngrams < 1 || ngrams > 3) {
      throw new DatasetException("ngrams: " + ngrams + " (expected: 1, 2 or 3)");
    }
    if (minCount < 1) {
      throw new DatasetException("min_count: " + minCount + " (expected: >= 1)");
    }
  }

  public TextOptions withFeatures(Features f) {
    return new TextOptions(tokenizer, f, ngrams, lowercase, normalize, minCount);
  }

  /** The tokenisation these options ask for, the mode detected from {@code sample} when it is {@code auto}. */
  public Tokenization tokenization(List<String> sample) {
    Tokenization.Mode mode =
        switch (tokenizer) {
          case AUTO -> Tokenization.detect(sample);
          case WORDS -> Tokenization.Mode.WORDS;
          case CHARS -> Tokenization.Mode.CHARS;
        };
    return new Tokenization(mode, lowercase, normalize);
  }
}
