package dev.kiln.engine.llama;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.kiln.core.error.KilnException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * llama.cpp's own GBNF grammar sampler, driven through its C API for generations that report log-probabilities: the
 * same grammar the binding applies to other generations (structured output, tool calls) holds these too. It only masks
 * tokens; {@link TokenChooser} still picks among those allowed, and the reported log-probabilities stay the model's own
 * (before the grammar, as before temperature and truncation).
 */
final class NativeGrammar implements AutoCloseable {
  /** {@code llama_token_data}: an int id, a float logit, a float probability. */
  private static final int ENTRY = 12;

  private final LlamaApi api;
  private final Pointer sampler;
  private final int vocabSize;
  private final Memory data;
  private final ByteBuffer entries;

  /** {@code llama_token_data_array}: the entries' address, their count, the selected index, whether sorted. */
  private final Memory array = new Memory(32);

  private NativeGrammar(LlamaApi api, Pointer sampler, int vocabSize) {
    this.api = api;
    this.sampler = sampler;
    this.vocabSize = vocabSize;
    this.data = new Memory((long) vocabSize * ENTRY);
    this.entries = data.getByteBuffer(0, data.size()).order(ByteOrder.nativeOrder());
  }

  static NativeGrammar open(LlamaApi api, Pointer vocab, int vocabSize, String gbnf) {
    Pointer s = api.llama_sampler_init_grammar(vocab, gbnf, "root");
    if (s == null) {
      throw KilnException.invalid("response_format: llama.cpp cannot read the grammar built for it");
    }
    return new NativeGrammar(api, s, vocabSize);
  }

  /**
   * A copy of {@code logprobs} where every token the grammar does not allow next is minus infinity.
   *
   * @throws KilnException when the grammar allows no token at all (accepting one anyway would abort llama.cpp)
   */
  double[] allowed(double[] logprobs) {
    for (int id = 0; id < vocabSize; id++) {
      entries.putInt(id * ENTRY, id).putFloat(id * ENTRY + 4, (float) logprobs[id]).putFloat(id * ENTRY + 8, 0f);
    }
    array.setPointer(0, data);
    array.setLong(8, vocabSize);
    array.setLong(16, -1);
    array.setByte(24, (byte) 0);
    api.llama_sampler_apply(sampler, array);
    int n = (int) array.getLong(8); // the grammar sampler masks in place; read back whatever it left
    double[] out = new double[vocabSize];
    Arrays.fill(out, Double.NEGATIVE_INFINITY);
    boolean any = false;
    for (int i = 0; i < n; i++) {
      int id = entries.getInt(i * ENTRY);
      if (entries.getFloat(i * ENTRY + 4) != Float.NEGATIVE_INFINITY && id >= 0 && id < vocabSize) {
        out[id] = logprobs[id];
        any = true;
      }
    }
    if (!any) {
      throw KilnException.unavailable("the output's grammar allows no next token");
    }
    return out;
  }

  /** Advances the grammar past {@code token}, which {@link #allowed} allowed. */
  void accept(int token) {
    api.llama_sampler_accept(sampler, token);
  }

  @Override
  public void close() {
    api.llama_sampler_free(sampler);
  }
}
