package dev.kiln.engine.llama;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.kiln.core.error.KilnException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The model once more through llama.cpp's C API, for generations that report token log-probabilities: its weights are
 * memory-mapped, so they are shared with the binding's instance, and each such generation decodes in a context of its
 * own (kept for the next one; at most as many as the model's generation threads).
 */
final class NativeLlama implements AutoCloseable {
  private final LlamaApi api;
  private final Pointer model;
  private final Pointer vocab;
  private final int vocabSize;
  private final int contextLength;
  private final int threads;
  private final Queue<Pointer> idle = new ConcurrentLinkedQueue<>();
  private final Queue<Pointer> all = new ConcurrentLinkedQueue<>();

  private NativeLlama(LlamaApi api, Pointer model, int contextLength, int threads) {
    this.api = api;
    this.model = model;
    this.vocab = api.llama_model_get_vocab(model);
    this.vocabSize = api.llama_vocab_n_tokens(vocab);
    this.contextLength = contextLength;
    this.threads = threads;
  }

  /**
   * @throws KilnException INVALID_ARGUMENT where the C API cannot be reached (not Linux) or refuses the file
   */
  static NativeLlama open(Path file, int contextLength, int threads) {
    LlamaApi api =
        LlamaApi.load()
            .orElseThrow(() -> KilnException.invalid("logprobs: not available with this engine on this platform"));
    Pointer m = api.llama_model_load_from_file(file.toAbsolutePath().toString(), api.llama_model_default_params());
    if (m == null) {
      throw KilnException.invalid("logprobs: the model cannot be opened for them");
    }
    return new NativeLlama(api, m, contextLength, threads);
  }

  int vocabSize() {
    return vocabSize;
  }

  int[] tokenize(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int[] tokens = new int[utf8.length + 2];
    int n = api.llama_tokenize(vocab, utf8, utf8.length, tokens, tokens.length, true, true);
    if (n < 0) { // never with room for a token per byte plus BOS and EOS; checked all the same
      tokens = new int[-n];
      n = api.llama_tokenize(vocab, utf8, utf8.length, tokens, tokens.length, true, true);
    }
    return Arrays.copyOf(tokens, n);
  }

  byte[] piece(int token) {
    byte[] buffer = new byte[64];
    int n = api.llama_token_to_piece(vocab, token, buffer, buffer.length, 0, false);
    if (n < 0) {
      buffer = new byte[-n];
      n = api.llama_token_to_piece(vocab, token, buffer, buffer.length, 0, false);
    }
    return Arrays.copyOf(buffer, Math.max(n, 0));
  }

  boolean endsGeneration(int token) {
    return api.llama_vocab_is_eog(vocab, token) != 0;
  }

  /** A grammar sampler over this model's vocabulary, for one generation; close it after. */
  NativeGrammar grammar(String gbnf) {
    return NativeGrammar.open(api, vocab, vocabSize, gbnf);
  }

  /** A context with an empty cache, for one generation; give it back with {@link #release}. */
  Pointer context() {
    Pointer c = idle.poll();
    if (c != null) {
      api.llama_kv_self_clear(c);
      return c;
    }
    LlamaApi.ContextParams p = api.llama_context_default_params();
    p.nCtx = contextLength;
    p.nBatch = contextLength;
    p.nSeqMax = 1;
    if (threads > 0) {
      p.nThreads = threads;
      p.nThreadsBatch = threads;
    }
    c = api.llama_init_from_model(model, p);
    if (c == null) {
      throw KilnException.unavailable("the model has no memory left for another context");
    }
    all.add(c);
    return c;
  }

  void release(Pointer context) {
    idle.add(context);
  }

  /**
   * Decodes {@code tokens} after what {@code context} holds; returns the next token's logits.
   *
   * @throws KilnException when llama.cpp refuses the batch
   */
  float[] decode(Pointer context, int[] tokens) {
    Memory ids = new Memory((long) tokens.length * Integer.BYTES);
    ids.write(0, tokens, 0, tokens.length);
    LlamaApi.Batch batch = new LlamaApi.Batch();
    batch.nTokens = tokens.length;
    batch.token = ids;
    int rc;
    // One decode step at a time in the process: C-API generations decoding at once corrupted each other's tokens
    // (ChoicesOnLlamaTest: the same seeds gave other texts), one step at a time they are exact.
    synchronized (NativeLlama.class) {
      rc = api.llama_decode(context, batch);
    }
    // The batch passes the ids' address only: they must stay reachable (not freed as a collected Memory) until
    // llama.cpp has read them.
    Reference.reachabilityFence(ids);
    if (rc != 0) {
      throw KilnException.unavailable("llama.cpp could not decode (" + rc + ")");
    }
    return api.llama_get_logits_ith(context, -1).getFloatArray(0, vocabSize);
  }

  /** Frees every context and the model; no generation may run any more. */
  @Override
  public void close() {
    Pointer c;
    while ((c = all.poll()) != null) {
      api.llama_free(c);
    }
    api.llama_model_free(model);
  }
}
