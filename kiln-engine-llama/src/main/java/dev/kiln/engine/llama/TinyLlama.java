package dev.kiln.engine.llama;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny llama-architecture language model with random weights (2 layers, width 64, about 330 tokens, F32, about 0.5
 * MB), for tests and demos: llama.cpp loads it and generates from it, nothing is downloaded. What it says is gibberish,
 * but deterministic for a seed.
 *
 * <p>Its output layer only gives the word pieces a real logit; special and byte tokens score 0 against word pieces with
 * a spread of about 8, so it practically never ends on its own (generations stop at {@code maxTokens} or a stop string)
 * and never emits half a UTF-8 character.
 */
public final class TinyLlama {
  public static final int CONTEXT_LENGTH = 512;
  public static final int EMBEDDING_LENGTH = 64;
  static final int BLOCKS = 2;
  static final int FEED_FORWARD = 128;
  static final int HEADS = 4;

  /**
   * ChatML, listing tools (when given) in a system turn and writing assistant tool calls as {@code ToolGrammar} has the
   * model write them. No tag is followed by a newline, so trim_blocks (on in Jinjava and llama.cpp) changes nothing.
   */
  static final String CHAT_TEMPLATE =
      "{% if tools %}<|im_start|>system\nYou may call these functions. To call one, answer"
          + " <tool_call>\n{\"name\": <name>, \"arguments\": <arguments>}\n</tool_call>\n"
          + "{% for t in tools %}{{ t.function | tojson }}\n{% endfor %}<|im_end|>\n{% endif %}"
          + "{% for m in messages %}<|im_start|>{{ m.role }}\n"
          + "{% if m.tool_calls %}{% for c in m.tool_calls %}{% if not loop.first %}{{ '\\n' }}{% endif %}<tool_call>\n"
          + "{\"name\": \"{{ c.function.name }}\", \"arguments\": {{ c.function.arguments | tojson }}}\n</tool_call>"
          + "{% endfor %}{% else %}{{ m.content }}{% endif %}<|im_end|>\n{% endfor %}"
          + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

  private static final List<String> WORDS =
      List.of(
          "hello", "world", "the", "a", "kiln", "model", "is", "fire", "clay", "pot", "glaze", "hot", "cool", "serve",
          "token", "and", "of", "to", "in", "it", "we", "you", "say", "make", "small", "big", "red", "blue", "stone",
          "water");

  private static final int NORMAL = 1;
  private static final int UNKNOWN = 2;
  private static final int CONTROL = 3;
  private static final int BYTE = 6;

  private TinyLlama() {}

  /** Writes the model to {@code file}; the same seed gives the same bytes. */
  public static void write(Path file, long seed) {
    List<String> tokens = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    add(tokens, types, "<unk>", UNKNOWN);
    add(tokens, types, "<s>", CONTROL);
    add(tokens, types, "</s>", CONTROL);
    add(tokens, types, "<|im_start|>", CONTROL);
    add(tokens, types, "<|im_end|>", CONTROL);
    for (int b = 0; b < 256; b++) {
      add(tokens, types, String.format("<0x%02X>", b), BYTE);
    }
    int firstPiece = tokens.size();
    add(tokens, types, "▁", NORMAL);
    for (char c = 'a'; c <= 'z'; c++) {
      add(tokens, types, String.valueOf(c), NORMAL);
    }
    for (String p : List.of(".", ",", "!", "?")) {
      add(tokens, types, p, NORMAL);
    }
    WORDS.forEach(w -> add(tokens, types, "▁" + w, NORMAL));
    int vocab = tokens.size();
    float[] scores = new float[vocab];
    for (int i = firstPiece; i < vocab; i++) {
      scores[i] = tokens.get(i).length() - 10; // SentencePiece merges prefer the higher score: longer pieces
    }
    GgufWriter gguf =
        new GgufWriter()
            .string("general.architecture", "llama")
            .string("general.name", "kiln-tiny-llama")
            .uint32("general.alignment", GgufWriter.DEFAULT_ALIGNMENT)
            .uint32("llama.context_length", CONTEXT_LENGTH)
            .uint32("llama.embedding_length", EMBEDDING_LENGTH)
            .uint32("llama.block_count", BLOCKS)
            .uint32("llama.feed_forward_length", FEED_FORWARD)
            .uint32("llama.attention.head_count", HEADS)
            .uint32("llama.attention.head_count_kv", HEADS)
            .uint32("llama.rope.dimension_count", EMBEDDING_LENGTH / HEADS)
            .float32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .uint32("llama.vocab_size", vocab)
            .string("tokenizer.ggml.model", "llama")
            .strings("tokenizer.ggml.tokens", tokens)
            .floats("tokenizer.ggml.scores", scores)
            .ints("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray())
            .uint32("tokenizer.ggml.unknown_token_id", 0)
            .uint32("tokenizer.ggml.bos_token_id", 1)
            .uint32("tokenizer.ggml.eos_token_id", 2)
            .bool("tokenizer.ggml.add_bos_token", true)
            .bool("tokenizer.ggml.add_eos_token", false)
            .string("tokenizer.chat_template", CHAT_TEMPLATE);
    weights(gguf, new SplittableRandom(seed), vocab, firstPiece);
    gguf.write(file);
  }

  private static void weights(GgufWriter gguf, SplittableRandom random, int vocab, int firstPiece) {
    int d = EMBEDDING_LENGTH;
    gguf.tensor("token_embd.weight", normal(random, d * vocab, 1), d, vocab);
    for (int b = 0; b < BLOCKS; b++) {
      String p = "blk." + b + ".";
      gguf.tensor(p + "attn_norm.weight", ones(d), d)
          .tensor(p + "attn_q.weight", normal(random, d * d, d), d, d)
          .tensor(p + "attn_k.weight", normal(random, d * d, d), d, d)
          .tensor(p + "attn_v.weight", normal(random, d * d, d), d, d)
          .tensor(p + "attn_output.weight", normal(random, d * d, d), d, d)
          .tensor(p + "ffn_norm.weight", ones(d), d)
          .tensor(p + "ffn_gate.weight", normal(random, d * FEED_FORWARD, d), d, FEED_FORWARD)
          .tensor(p + "ffn_up.weight", normal(random, d * FEED_FORWARD, d), d, FEED_FORWARD)
          .tensor(p + "ffn_down.weight", normal(random, FEED_FORWARD * d, FEED_FORWARD), FEED_FORWARD, d);
    }
    gguf.tensor("output_norm.weight", ones(d), d);
    float[] output = normal(random, d * vocab, 1);
    Arrays.fill(output, 0, firstPiece * d, 0f); // rows of special and byte tokens: logit 0
    gguf.tensor("output.weight", output, d, vocab);
  }

  private static void add(List<String> tokens, List<Integer> types, String token, int type) {
    tokens.add(token);
    types.add(type);
  }

  /** Gaussian values with variance {@code 1 / fanIn}. */
  private static float[] normal(SplittableRandom random, int n, int fanIn) {
    double scale = 1 / Math.sqrt(fanIn);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (gaussian(random) * scale);
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }
}
