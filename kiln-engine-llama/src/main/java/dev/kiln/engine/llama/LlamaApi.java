package dev.kiln.engine.llama;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The few functions of llama.cpp's C API (as built into the binding's {@code libjllama.so}, llama.cpp b4916) that token
 * log-probabilities need: the binding's own probability path reads a JSON key llama.cpp no longer writes and aborts the
 * process ({@code GGML_ASSERT} in {@code receiveCompletion}, seen with {@code n_probs = 3} on the tiny test model).
 *
 * <p>Parameter structs are passed as opaque blocks larger than llama.cpp's, as its defaults fill them: only the leading
 * fields of {@code llama_context_params}, which have not moved in years, are written. A block passed by value is the
 * last argument of each call, so its spare tail is never read.
 */
interface LlamaApi extends Library {
  /** {@code llama_model_params}, opaque (llama.cpp's is under 100 bytes). */
  @Structure.FieldOrder("opaque")
  class ModelParams extends Structure implements Structure.ByValue {
    public long[] opaque = new long[64];
  }

  /** {@code llama_context_params}: its first six fields, then the rest opaque (llama.cpp's is under 200 bytes). */
  @Structure.FieldOrder({"nCtx", "nBatch", "nUbatch", "nSeqMax", "nThreads", "nThreadsBatch", "opaque"})
  class ContextParams extends Structure implements Structure.ByValue {
    public int nCtx;
    public int nBatch;
    public int nUbatch;
    public int nSeqMax;
    public int nThreads;
    public int nThreadsBatch;
    public long[] opaque = new long[64];
  }

  /** {@code llama_batch}: tokens only; positions follow the KV cache, logits are the last token's. */
  @Structure.FieldOrder({"nTokens", "token", "embd", "pos", "nSeqId", "seqId", "logits"})
  class Batch extends Structure implements Structure.ByValue {
    public int nTokens;
    public Pointer token;
    public Pointer embd;
    public Pointer pos;
    public Pointer nSeqId;
    public Pointer seqId;
    public Pointer logits;
  }

  ModelParams llama_model_default_params();

  Pointer llama_model_load_from_file(String path, ModelParams params);

  void llama_model_free(Pointer model);

  ContextParams llama_context_default_params();

  Pointer llama_init_from_model(Pointer model, ContextParams params);

  void llama_free(Pointer context);

  Pointer llama_model_get_vocab(Pointer model);

  int llama_vocab_n_tokens(Pointer vocab);

  int llama_tokenize(
      Pointer vocab,
      byte[] text,
      int textLength,
      int[] tokens,
      int maxTokens,
      boolean addSpecial,
      boolean parseSpecial);

  int llama_token_to_piece(Pointer vocab, int token, byte[] buffer, int length, int lstrip, boolean special);

  /** C's {@code bool}: one byte, read as such (JNA's boolean is four). */
  byte llama_vocab_is_eog(Pointer vocab, int token);

  int llama_decode(Pointer context, Batch batch);

  Pointer llama_get_logits_ith(Pointer context, int i);

  void llama_kv_self_clear(Pointer context);

  /** A GBNF grammar sampler (structured output, tool calls); null when llama.cpp cannot parse the grammar. */
  Pointer llama_sampler_init_grammar(Pointer vocab, String grammar, String root);

  /** Sets the logit of every candidate the grammar does not allow next to minus infinity, in place. */
  void llama_sampler_apply(Pointer sampler, Pointer candidates);

  void llama_sampler_accept(Pointer sampler, int token);

  void llama_sampler_free(Pointer sampler);

  /**
   * The library the binding loaded (it extracts it under a random name), found among the process's mappings; empty off
   * Linux or before the binding loaded it.
   */
  static Optional<LlamaApi> load() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return Optional.empty();
    }
    try (Stream<String> lines = Files.lines(maps)) {
      return lines
          // Another process extracting the binding replaces the file: the mapping then reads "(deleted)", and
          // dlopen by the same name still finds the copy this process loaded.
          .map(l -> l.replace(" (deleted)", ""))
          .filter(l -> l.contains("/") && l.endsWith("/libjllama.so"))
          .map(l -> l.substring(l.indexOf('/')))
          .findFirst()
          .map(path -> Native.load(path, LlamaApi.class));
    } catch (IOException | UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }
}
