package dev.kiln.engine.llama;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenSink;
import dev.kiln.core.llm.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

// Size: both generation paths (the binding's, and the C API's for log-probabilities) share its threads and its close.
/**
 * A GGUF model in llama.cpp. A generation streams on one of {@code parallel} threads, as many as llama.cpp decodes
 * together; more wait for a thread (the server's {@code ServedLanguageModel} never starts more than that, and bounds
 * what waits).
 *
 * <p>Token counts: the prompt's are llama.cpp's tokenizer plus the BOS token when the model adds one; the completion's
 * are the pieces llama.cpp streamed, one per sampled token (a token that ends inside a UTF-8 character is streamed with
 * the next one, so such tokens are not counted).
 */
final class LlamaLanguageModel implements LanguageModel {
  private static final Logger LOG = Logger.getLogger(LlamaLanguageModel.class.getName());

  private final LlamaModel model;
  private final int contextLength;
  private final boolean addsBos;
  private final Supplier<LlamaModel> embedderFactory;
  private final Optional<ChatTemplate> template;
  private final Set<Handle> running = ConcurrentHashMap.newKeySet();
  // Platform threads: a generation blocks in a native call, which would pin a virtual thread's carrier. A fixed
  // count: one per slot, never one per request.
  private final ExecutorService threads;
  private LlamaModel embedder;
  private final Supplier<NativeLlama> nativeFactory;
  private NativeLlama withLogprobs;
  private volatile boolean closed;

  LlamaLanguageModel(
      GgufFile gguf,
      LlamaModel model,
      int contextLength,
      int parallel,
      Supplier<LlamaModel> embedderFactory,
      Supplier<NativeLlama> nativeFactory) {
    this.model = model;
    this.threads = Executors.newFixedThreadPool(parallel, Thread.ofPlatform().daemon().name("llama-", 0).factory());
    this.contextLength = contextLength;
    this.addsBos =
        gguf.get("tokenizer.ggml.add_bos_token")
            .map(Boolean.TRUE::equals)
            .orElse("llama".equals(gguf.get("tokenizer.ggml.model").orElse(null)));
    this.embedderFactory = embedderFactory;
    this.template = ChatTemplate.of(gguf);
    this.nativeFactory = nativeFactory;
  }

  /** With tools or tool messages through {@link ChatTemplate} (the binding formats only the other roles). */
  @Override
  public String applyChatTemplate(List<ChatMessage> messages, List<Tool> tools) {
    return tools.isEmpty() && messages.stream().noneMatch(ChatMessage::hasToolParts)
        ? applyChatTemplate(messages)
        : ChatTemplate.render(template, messages, tools);
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages) {
    StringBuilder json = new StringBuilder("{\"messages\":[");
    for (ChatMessage m : messages) {
      json.append(json.charAt(json.length() - 1) == '[' ? "" : ",")
          .append("{\"role\":")
          .append(quote(m.role()))
          .append(",\"content\":")
          .append(quote(m.content()))
          .append('}');
    }
    json.append("],\"add_generation_prompt\":true}");
    try {
      return model.applyTemplate(json.toString());
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "chat template failed", e);
      throw KilnException.invalid("messages: the model's chat template cannot format them");
    }
  }

  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(sink, "sink");
    check(generation);
    int promptTokens = promptTokens(generation.prompt());
    if (promptTokens >= contextLength) {
      throw KilnException.invalid("prompt: " + promptTokens + " tokens (expected: < " + contextLength + ")");
    }
    if (generation.wantsLogprobs()) {
      // The binding's own probabilities abort the process (LlamaApi): these are decoded through the C API.
      LogprobRun run = new LogprobRun(withLogprobs(), generation, sink, contextLength, running::remove);
      running.add(run);
      threads.execute(run);
      return run;
    }
    int limit = Math.min(generation.maxTokens(), contextLength - promptTokens);
    Running run = new Running(parameters(generation, limit), sink, promptTokens, limit);
    running.add(run);
    threads.execute(run);
    return run;
  }

  private void check(Generation g) {
    if (closed) {
      throw KilnException.unavailable("model is closed");
    }
    if (g.prompt() == null || g.maxTokens() < 1 || !(g.temperature() >= 0) || !(g.topP() > 0 && g.topP() <= 1)) {
      throw KilnException.invalid(
          "generation: prompt "
              + (g.prompt() == null ? "missing" : "given")
              + ", max tokens "
              + g.maxTokens()
              + ", temperature "
              + g.temperature()
              + ", top_p "
              + g.topP()
              + " (expected: a prompt, >= 1, >= 0, in (0, 1])");
    }
  }

  private static InferenceParameters parameters(Generation g, int limit) {
    InferenceParameters p =
        new InferenceParameters(g.prompt())
            .setNPredict(limit)
            .setTemperature((float) g.temperature())
            .setTopP((float) g.topP())
            .setCachePrompt(true);
    if (g.seed() != null) {
      p.setSeed((int) (g.seed() & 0x7fffffffL)); // llama.cpp reads -1 (all ones) as "random"
    }
    if (g.topK() != null) {
      p.setTopK(Math.max(g.topK(), 0)); // llama.cpp reads k <= 0 as "all tokens"
    }
    if (!g.stop().isEmpty()) {
      p.setStopStrings(g.stop().toArray(String[]::new));
    }
    if (!g.grammar().isEmpty()) {
      p.setGrammar(g.grammar());
    }
    return p;
  }

  private int promptTokens(String prompt) {
    return countTokens(prompt) + (addsBos ? 1 : 0);
  }

  @Override
  public int countTokens(String text) {
    return model.encode(Objects.requireNonNull(text, "text")).length;
  }

  @Override
  public List<float[]> embed(List<String> inputs) {
    LlamaModel e = embedder();
    List<float[]> vectors = new ArrayList<>(inputs.size());
    for (String input : inputs) {
      int tokens = promptTokens(input);
      if (tokens > contextLength) {
        throw KilnException.invalid("input: " + tokens + " tokens (expected: <= " + contextLength + ")");
      }
      try {
        vectors.add(embedGated(e, input));
      } catch (RuntimeException ex) {
        LOG.log(Level.FINE, "embedding failed", ex);
        throw KilnException.invalid("input: cannot be embedded");
      }
    }
    return vectors;
  }

  private static float[] embedGated(LlamaModel e, String input) {
    try {
      DecodeGate.PROCESS.enter(DecodeGate.BINDING);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw KilnException.unavailable("interrupted");
    }
    try {
      return e.embed(input);
    } finally {
      DecodeGate.PROCESS.exit(DecodeGate.BINDING);
    }
  }

  private synchronized LlamaModel embedder() {
    if (closed) {
      throw KilnException.unavailable("model is closed");
    }
    if (embedder == null) {
      embedder = embedderFactory.get();
    }
    return embedder;
  }

  private synchronized NativeLlama withLogprobs() {
    if (closed) {
      throw KilnException.unavailable("model is closed");
    }
    if (withLogprobs == null) {
      withLogprobs = nativeFactory.get();
    }
    return withLogprobs;
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  /**
   * Cancels what is running and waits (up to 10 s) for it to end: llama.cpp's loop must outlive every thread waiting on
   * it, or those threads wait forever.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    running.forEach(Handle::cancel);
    threads.shutdown();
    try {
      if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warning("llama.cpp generations did not end within 10 s; closing the model anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    model.close();
    synchronized (this) {
      if (embedder != null) {
        embedder.close();
      }
      if (withLogprobs != null) {
        withLogprobs.close(); // the threads have ended: no generation holds a context
      }
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** One generation, on its own thread. */
  private final class Running implements Runnable, Handle {
    private final InferenceParameters params;
    private final TokenSink sink;
    private final int promptTokens;
    private final int limit;
    private volatile boolean cancelled;

    Running(InferenceParameters params, TokenSink sink, int promptTokens, int limit) {
      this.params = params;
      this.sink = sink;
      this.promptTokens = promptTokens;
      this.limit = limit;
    }

    /**
     * Takes effect when llama.cpp streams the next token: its iterator may only be cancelled by the thread reading it
     * (a reader blocked on a cancelled task would wait forever).
     */
    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public void run() {
      try {
        DecodeGate.PROCESS.enter(DecodeGate.BINDING);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.remove(this);
        sink.done(FinishReason.CANCELLED, promptTokens, 0);
        return;
      }
      try {
        decode();
      } finally {
        DecodeGate.PROCESS.exit(DecodeGate.BINDING);
      }
    }

    private void decode() {
      int completion = 0;
      try {
        if (cancelled) { // cancelled while it waited for a thread: nothing was decoded
          sink.done(FinishReason.CANCELLED, promptTokens, 0);
          return;
        }
        LlamaIterator it = model.generate(params).iterator();
        while (it.hasNext()) {
          LlamaOutput out = it.next();
          if (cancelled && it.hasNext()) {
            it.cancel(); // frees the slot
            sink.done(FinishReason.CANCELLED, promptTokens, completion);
            return;
          }
          if (it.hasNext()) {
            completion++; // the last output only says "stopped" and has no text in streaming mode
          }
          if (!out.text.isEmpty()) {
            sink.text(out.text);
          }
        }
        // Context exhausted counts as a length stop too: the caller could not have had more tokens.
        boolean length = completion >= limit;
        sink.done(length ? FinishReason.LENGTH : FinishReason.STOP, promptTokens, completion);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "generation failed", e);
        sink.failed(KilnException.from(e));
      } finally {
        running.remove(this);
      }
    }
  }
}
