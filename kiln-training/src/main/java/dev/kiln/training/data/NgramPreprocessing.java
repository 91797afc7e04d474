package dev.kiln.training.data;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text to a bag of n-grams: the {@link Tokenization} tokens' n-grams (1 to {@code ngrams} tokens long) counted, each
 * count times its n-gram's inverse document frequency, and the row scaled to unit L2 norm, as scikit-learn's {@code
 * TfidfVectorizer} does (n-grams outside the vocabulary are dropped; an empty row stays zeros). The output is FP32
 * {@code [N, vocabulary]}.
 *
 * <p>The exported model takes {@code text} BYTES {@code [N]}, one UTF-8 string per row, and replays this with {@code
 * StringNormalizer}, the contrib {@code Tokenizer} and the standard {@code TfIdfVectorizer}, then {@code ReduceL2}.
 *
 * @param vocabulary n-grams as their tokens joined by one space (tokens never hold spaces), shorter n-grams first: the
 *     order {@code TfIdfVectorizer}'s pool needs, and the output order
 * @param idf one weight per vocabulary entry: {@code ln((1 + texts) / (1 + texts holding it)) + 1}
 */
public record NgramPreprocessing(Tokenization tokenization, int ngrams, List<String> vocabulary, float[] idf)
    implements TextFeatures {
  /** Rows whose norm is below this stay as they are (all zeros, in practice). */
  private static final float MIN_NORM = 1e-12f;

  public NgramPreprocessing {
    vocabulary = List.copyOf(vocabulary);
    idf = idf.clone();
    if (idf.length != vocabulary.size() || ngrams < 1 || ngrams > 3) {
      throw new IllegalArgumentException(
          "idf: " + idf.length + " weights for " + vocabulary.size() + " n-grams, ngrams " + ngrams);
    }
  }

  /** The n-grams (space-joined) of {@code tokens}, 1 to {@code n} long, each as often as it occurs. */
  static List<String> grams(List<String> tokens, int n) {
    List<String> out = new ArrayList<>();
    for (int len = 1; len <= n; len++) {
      for (int i = 0; i + len <= tokens.size(); i++) {
        out.add(len == 1 ? tokens.get(i) : String.join(" ", tokens.subList(i, i + len)));
      }
    }
    return out;
  }

  @Override
  public int width() {
    return vocabulary.size();
  }

  /** The TF-IDF rows of every text, row-major. */
  @Override
  public float[] apply(List<String> texts) {
    Map<String, Integer> index = new HashMap<>(vocabulary.size() * 2);
    for (int i = 0; i < vocabulary.size(); i++) {
      index.put(vocabulary.get(i), i);
    }
    int w = width();
    float[] out = new float[texts.size() * w];
    for (int r = 0; r < texts.size(); r++) {
      float[] row = new float[w];
      for (String g : grams(tokenization.tokens(texts.get(r)), ngrams)) {
        Integer k = index.get(g);
        if (k != null) {
          row[k] += 1;
        }
      }
      float sum = 0;
      for (int k = 0; k < w; k++) {
        row[k] *= idf[k];
        sum += row[k] * row[k];
      }
      float norm = Math.max((float) Math.sqrt(sum), MIN_NORM);
      for (int k = 0; k < w; k++) {
        out[r * w + k] = row[k] / norm;
      }
    }
    return out;
  }

  @Override
  public List<TensorSpec> rawInputs() {
    return List.of(new TensorSpec(TextPreprocessing.INPUT, DataType.BYTES, new long[] {-1}));
  }

  @Override
  public DataType outputType() {
    return DataType.FP32;
  }

  @Override
  public void appendOnnx(OnnxGraphBuilder g, String output) {
    g.input(TextPreprocessing.INPUT, DataType.BYTES, -1);
    String tokens = tokenization.appendOnnx(g, TextPreprocessing.INPUT);
    String tfidf = g.fresh("tfidf");
    g.node("TfIdfVectorizer", List.of(tokens), List.of(tfidf), vectorizer());
    String norm = g.fresh("norm");
    g.node("ReduceL2", List.of(tfidf), List.of(norm), Map.of("axes", new long[] {1}, "keepdims", 1L));
    String floor = g.fresh("floor");
    g.initializer(floor, new long[] {1}, new float[] {MIN_NORM});
    String safe = g.fresh("safe_norm");
    g.node("Max", List.of(norm, floor), List.of(safe));
    g.node("Div", List.of(tfidf, safe), List.of(output));
  }

  /**
   * {@code TfIdfVectorizer}'s attributes: the pool lists the n-grams' tokens, 1-grams first; {@code ngram_counts[n -
   * 1]} is where the n-grams start in it; each pool n-gram's output index is its vocabulary index.
   */
  private Map<String, Object> vectorizer() {
    List<String> pool = new ArrayList<>();
    long[] starts = new long[ngrams];
    long[] indexes = new long[vocabulary.size()];
    int length = 1;
    for (int i = 0; i < vocabulary.size(); i++) {
      List<String> parts = Arrays.asList(vocabulary.get(i).split(" "));
      while (parts.size() > length) {
        starts[length++] = pool.size();
      }
      pool.addAll(parts);
      indexes[i] = i;
    }
    while (length < ngrams) {
      starts[length++] = pool.size();
    }
    Map<String, Object> a = new HashMap<>();
    a.put("mode", "TFIDF");
    a.put("min_gram_length", 1L);
    a.put("max_gram_length", (long) ngrams);
    a.put("max_skip_count", 0L);
    a.put("ngram_counts", starts);
    a.put("ngram_indexes", indexes);
    a.put("pool_strings", pool.toArray(String[]::new));
    a.put("weights", idf.clone());
    return a;
  }
}
