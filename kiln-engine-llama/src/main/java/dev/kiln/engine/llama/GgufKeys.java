package dev.kiln.engine.llama;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The value types of the metadata keys Kiln and llama.cpp read. llama.cpp asserts on some of them (a {@code
 * general.alignment} that is not UINT32 aborts the process in {@code gguf_get_val_u32}) and Kiln casts others, so a key
 * of the wrong type refuses the file up front.
 */
final class GgufKeys {
  private static final Set<GgufType> INTEGER =
      EnumSet.of(
          GgufType.UINT8,
          GgufType.INT8,
          GgufType.UINT16,
          GgufType.INT16,
          GgufType.UINT32,
          GgufType.INT32,
          GgufType.UINT64,
          GgufType.INT64);
  private static final Set<GgufType> STRING = EnumSet.of(GgufType.STRING);
  private static final Set<GgufType> BOOL = EnumSet.of(GgufType.BOOL);
  private static final Set<GgufType> FLOAT = EnumSet.of(GgufType.FLOAT32, GgufType.FLOAT64);

  /** Keys with one fixed meaning in every GGUF file. */
  private static final Map<String, Rule> GENERAL =
      Map.ofEntries(
          Map.entry("general.architecture", scalar(STRING)),
          Map.entry("general.alignment", scalar(EnumSet.of(GgufType.UINT32))),
          Map.entry("general.name", scalar(STRING)),
          Map.entry("tokenizer.ggml.model", scalar(STRING)),
          Map.entry("tokenizer.ggml.pre", scalar(STRING)),
          Map.entry("tokenizer.chat_template", scalar(STRING)),
          Map.entry("tokenizer.ggml.add_bos_token", scalar(BOOL)),
          Map.entry("tokenizer.ggml.add_eos_token", scalar(BOOL)),
          Map.entry("tokenizer.ggml.bos_token_id", scalar(INTEGER)),
          Map.entry("tokenizer.ggml.eos_token_id", scalar(INTEGER)),
          Map.entry("tokenizer.ggml.unknown_token_id", scalar(INTEGER)),
          Map.entry("tokenizer.ggml.padding_token_id", scalar(INTEGER)),
          Map.entry("tokenizer.ggml.seperator_token_id", scalar(INTEGER)),
          Map.entry("tokenizer.ggml.tokens", array(STRING)),
          Map.entry("tokenizer.ggml.merges", array(STRING)),
          Map.entry("tokenizer.ggml.scores", array(FLOAT)),
          Map.entry("tokenizer.ggml.token_type", array(INTEGER)));

  /** Keys under the architecture's prefix ({@code llama.context_length}); per-layer ones may be arrays. */
  private static final Map<String, Rule> ARCHITECTURE =
      Map.ofEntries(
          Map.entry("context_length", scalar(INTEGER)),
          Map.entry("embedding_length", scalar(INTEGER)),
          Map.entry("block_count", scalar(INTEGER)),
          Map.entry("vocab_size", scalar(INTEGER)),
          Map.entry("expert_count", scalar(INTEGER)),
          Map.entry("expert_used_count", scalar(INTEGER)),
          Map.entry("rope.dimension_count", scalar(INTEGER)),
          Map.entry("feed_forward_length", scalarOrArray(INTEGER)),
          Map.entry("attention.head_count", scalarOrArray(INTEGER)),
          Map.entry("attention.head_count_kv", scalarOrArray(INTEGER)),
          Map.entry("attention.layer_norm_rms_epsilon", scalar(FLOAT)),
          Map.entry("attention.layer_norm_epsilon", scalar(FLOAT)),
          Map.entry("rope.freq_base", scalar(FLOAT)));

  /** Which types a key may have as a scalar, and as array elements (empty: no array). */
  private record Rule(Set<GgufType> scalar, Set<GgufType> elements) {
    boolean allows(Object value, GgufType type) {
      return value instanceof GgufFile.Array a ? elements.contains(a.element()) : scalar.contains(type);
    }

    String expected() {
      StringBuilder s = new StringBuilder();
      if (!scalar.isEmpty()) {
        s.append(scalar.size() > 1 ? "a scalar of type " + names(scalar) : names(scalar));
      }
      if (!elements.isEmpty()) {
        s.append(s.isEmpty() ? "" : " or ").append("an ARRAY of ").append(names(elements));
      }
      return s.toString();
    }

    private static String names(Set<GgufType> types) {
      return types.size() == 1
          ? types.iterator().next().name()
          : types.stream().map(Enum::name).reduce((a, b) -> a + "|" + b).orElse("");
    }
  }

  private GgufKeys() {}

  private static Rule scalar(Set<GgufType> types) {
    return new Rule(types, Set.of());
  }

  private static Rule array(Set<GgufType> elements) {
    return new Rule(Set.of(), elements);
  }

  private static Rule scalarOrArray(Set<GgufType> types) {
    return new Rule(types, types);
  }

  /**
   * Why {@code key}'s value is of the wrong type, or null when it is of a type readers expect (or is not a key Kiln
   * knows).
   *
   * @param architecture the file's {@code general.architecture}, or "" when it has none
   */
  static String wrongType(String key, Object value, GgufType type, String architecture) {
    Rule rule = GENERAL.get(key);
    if (rule == null && !architecture.isEmpty() && key.startsWith(architecture + ".")) {
      rule = ARCHITECTURE.get(key.substring(architecture.length() + 1));
    }
    if (rule == null || rule.allows(value, type)) {
      return null;
    }
    // Only known keys get here, so the key is one of Kiln's own names, safe to show.
    String actual = value instanceof GgufFile.Array a ? "an ARRAY of " + a.element() : type.name();
    return "metadata key " + key + " is " + actual + " (expected: " + rule.expected() + ")";
  }
}
