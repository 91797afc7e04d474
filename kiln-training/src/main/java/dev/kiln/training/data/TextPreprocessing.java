package dev.kiln.training.data;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text to token ids: {@link Tokenization} tokens looked up in {@code vocabulary} (token at index {@code i} has id
 * {@code i + 2}; {@value #PAD} pads, {@value #UNKNOWN} is any token not in the vocabulary), then padded with {@value
 * #PAD} or cut to the first {@code maxLength} tokens.
 *
 * <p>The exported model takes {@code text} BYTES {@code [N]}, one UTF-8 string per row, exactly as the dataset held it.
 */
public record TextPreprocessing(List<String> vocabulary, int maxLength, Tokenization tokenization)
    implements TextFeatures {
  public static final int PAD = 0;
  public static final int UNKNOWN = 1;
  static final String INPUT = "text";

  /**
   * Stored jobs from before tokenisation modes have no {@code tokenization}: they read as {@link Tokenization#LEGACY}.
   */
  public TextPreprocessing {
    vocabulary = List.copyOf(vocabulary);
    tokenization = tokenization == null ? Tokenization.LEGACY : tokenization;
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength: " + maxLength + " (expected: >= 1)");
    }
  }

  /** Lower-cased words, as before tokenisation modes. */
  public TextPreprocessing(List<String> vocabulary, int maxLength) {
    this(vocabulary, maxLength, Tokenization.LEGACY);
  }

  /** The ids of one text, {@code maxLength} of them. */
  public long[] ids(String text) {
    Map<String, Integer> index = index();
    long[] out = new long[maxLength];
    List<String> tokens = tokenization.tokens(text);
    for (int i = 0; i < Math.min(maxLength, tokens.size()); i++) {
      out[i] = index.getOrDefault(tokens.get(i), UNKNOWN);
    }
    return out;
  }

  /** Token ids of every text, row-major, as floats (the {@link Examples} layout). */
  @Override
  public float[] apply(List<String> texts) {
    Map<String, Integer> index = index();
    float[] out = new float[texts.size() * maxLength];
    for (int r = 0; r < texts.size(); r++) {
      List<String> tokens = tokenization.tokens(texts.get(r));
      for (int i = 0; i < Math.min(maxLength, tokens.size()); i++) {
        out[r * maxLength + i] = index.getOrDefault(tokens.get(i), UNKNOWN);
      }
    }
    return out;
  }

  @Override
  public int width() {
    return maxLength;
  }

  private Map<String, Integer> index() {
    Map<String, Integer> index = new HashMap<>(vocabulary.size() * 2);
    for (int i = 0; i < vocabulary.size(); i++) {
      index.put(vocabulary.get(i), i + 2);
    }
    return index;
  }

  @Override
  public List<TensorSpec> rawInputs() {
    return List.of(new TensorSpec(INPUT, DataType.BYTES, new long[] {-1}));
  }

  @Override
  public DataType outputType() {
    return DataType.INT64;
  }

  @Override
  public void appendOnnx(OnnxGraphBuilder g, String output) {
    g.input(INPUT, DataType.BYTES, -1);
    g.opset("ai.onnx.ml", 2);
    String tokens = tokenization.appendOnnx(g, INPUT);
    String ids = g.fresh("ids");
    g.node("ai.onnx.ml", "LabelEncoder", List.of(tokens), List.of(ids), labelEncoder());
    // Pad every row by maxLength zeros, then keep the first maxLength: covers rows both short and long.
    String pads = g.fresh("pads");
    g.initializerInt64(pads, new long[] {4}, new long[] {0, 0, 0, maxLength});
    String padded = g.fresh("padded");
    g.node("Pad", List.of(ids, pads), List.of(padded));
    String starts = g.fresh("starts");
    String ends = g.fresh("ends");
    String axes = g.fresh("axes");
    g.initializerInt64(starts, new long[] {1}, new long[] {0});
    g.initializerInt64(ends, new long[] {1}, new long[] {maxLength});
    g.initializerInt64(axes, new long[] {1}, new long[] {1});
    g.node("Slice", List.of(padded, starts, ends, axes), List.of(output));
  }

  private Map<String, Object> labelEncoder() {
    String[] keys = new String[vocabulary.size() + 1];
    long[] values = new long[keys.length];
    for (int i = 0; i < vocabulary.size(); i++) {
      keys[i] = vocabulary.get(i);
      values[i] = i + 2;
    }
    keys[vocabulary.size()] = Tokenization.PAD_TOKEN;
    values[vocabulary.size()] = PAD;
    return Map.of("keys_strings", keys, "values_int64s", values, "default_int64", (long) UNKNOWN);
  }
}
