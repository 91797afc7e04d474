package dev.kiln.core.llm;

import dev.kiln.core.error.KilnException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A language model as the server serves it: requests go through {@link #submit} and {@link #embed}, which queue them
 * (bounded, with a deadline) for the model's own pool of {@code slots} threads, where the native work (templating,
 * tokenising, generating, embedding) runs; their tokens are charged to the caller when they end. Metrics are recorded
 * around every generation. The {@link LanguageModel} methods call the engine directly, on the caller's thread, for
 * in-process use.
 */
public final class ServedLanguageModel implements LanguageModel {
  private final String name;
  private final LanguageModel model;
  private final LlmMetrics metrics;
  private final int slots;
  private final SlotPool pool;
  private final TokenUsage usage;
  private final int maxChoices;
  private final RequestLimits limits;

  /** Generations the engine holds now: beyond {@code slots}, the engine queues them (direct callers only). */
  private final AtomicInteger engineHeld = new AtomicInteger();

  ServedLanguageModel(String name, LanguageModel model, LlmMetrics metrics, LlmSettings settings, TokenUsage usage) {
    this.name = name;
    this.model = model;
    this.metrics = metrics;
    this.slots = settings.slots();
    this.usage = usage;
    this.maxChoices = settings.maxChoices();
    this.limits =
        new RequestLimits(
            Math.min(settings.maxTokens(), model.contextLength()), settings.promptBytes(model.contextLength()));
    this.pool =
        new SlotPool(name, settings.slots(), settings.queue(), settings.queuePerKey(), settings.deadline(), metrics);
  }

  /**
   * Queues a chat or completion; returns at once. {@code generation}'s prompt is replaced by {@code prompt}'s text
   * (through the chat template for a chat). The request ends on {@code sink} exactly once: done (its tokens then
   * charged to {@code principal}), or failed with INVALID_ARGUMENT (a prompt of as many tokens as the context length or
   * more), DEADLINE_EXCEEDED (it waited past the deadline and nothing was generated) or UNAVAILABLE (the model was
   * unloaded first). The model's slots are shared fairly between principals (see {@link SlotPool}).
   *
   * @throws KilnException INVALID_ARGUMENT when the generation asks for more than {@link #maxTokens()} tokens or the
   *     prompt is longer than the prompt bound (checked here, before it takes a queue place); RESOURCE_EXHAUSTED when
   *     the model's slots and queue are full; RATE_LIMITED when {@code principal} holds its share of the queue;
   *     UNAVAILABLE while the model drains
   */
  public Handle submit(Prompt prompt, Generation generation, String principal, TokenSink sink) {
    limits.check(prompt, generation);
    GenerationJob job =
        new GenerationJob(
            this,
            Objects.requireNonNull(prompt, "prompt"),
            Objects.requireNonNull(generation, "generation"),
            Objects.requireNonNull(principal, "principal"),
            Objects.requireNonNull(sink, "sink"));
    pool.submit(job, principal);
    return job;
  }

  /**
   * Queues {@code n} choices of one request, each a generation in a slot of its own (so they decode together when slots
   * are free), choice {@code i} seeded with {@code seed + i} ({@link Generation#forChoice}). The prompt is charged
   * once, with every choice's completion tokens, when the last one ends; {@code sink} hears each choice and then one
   * end. Cancelling the handle cancels every choice.
   *
   * @throws KilnException INVALID_ARGUMENT when {@code n} is beyond the server's bound, or as {@link #submit} does;
   *     RESOURCE_EXHAUSTED or RATE_LIMITED when the queue or the key's share cannot take all {@code n} (then none is
   *     queued)
   */
  public Handle submit(Prompt prompt, Generation generation, int n, String principal, ChoiceSink sink) {
    Objects.requireNonNull(principal, "principal");
    if (n < 1 || n > maxChoices) {
      throw KilnException.invalid(
          "choices: " + n + " (expected: 1 to " + maxChoices + ", this server's bound, --llm-max-choices)");
    }
    limits.check(prompt, generation);
    Choices choices = new Choices(n, Objects.requireNonNull(sink, "sink"), t -> charge(principal, t));
    List<SlotPool.Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      GenerationJob job = new GenerationJob(this, prompt, generation.forChoice(i), choices.sink(i));
      jobs.add(job);
      choices.add(job);
    }
    // All of them or none, as the caller's key's: each choice takes a turn of that key in the round (SlotPool).
    pool.submit(jobs, principal);
    return choices;
  }

  /**
   * Queues an embedding request; cancelling the future takes it out of the queue. Its tokens are charged to {@code
   * principal} when it succeeds.
   *
   * @throws KilnException as {@link #submit} does
   */
  public CompletableFuture<Embeddings> embed(List<String> inputs, String principal) {
    List<String> texts = List.copyOf(inputs);
    Objects.requireNonNull(principal, "principal");
    CompletableFuture<Embeddings> answer = new CompletableFuture<>();
    SlotPool.Job job =
        new SlotPool.Job() {
          @Override
          void work() {
            try {
              List<float[]> vectors = model.embed(texts);
              int tokens = texts.stream().mapToInt(model::countTokens).sum();
              charge(principal, tokens);
              answer.complete(new Embeddings(vectors, tokens));
            } catch (RuntimeException e) {
              answer.completeExceptionally(e);
            }
          }

          @Override
          void skip(Optional<KilnException> why) {
            why.ifPresentOrElse(answer::completeExceptionally, () -> answer.cancel(false));
          }
        };
    pool.submit(job, principal);
    answer.whenComplete((r, e) -> {
      if (answer.isCancelled()) {
        job.cancel();
      }
    });
    return answer;
  }

  public String name() {
    return name;
  }

  /** The most choices one request may ask for. */
  public int maxChoices() {
    return maxChoices;
  }

  /** The most tokens a request may ask to generate: the server's cap, at most the context length. */
  public int maxTokens() {
    return limits.maxTokens();
  }

  void charge(String principal, long tokens) {
    usage.charge(principal, name, tokens);
  }

  /**
   * Refuses new requests, lets those admitted finish for up to {@code timeout}, cancels the rest, then frees the model.
   */
  void drainAndClose(Duration timeout) {
    pool.drain(timeout);
    model.close();
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages) {
    return model.applyChatTemplate(messages);
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages, List<Tool> tools) {
    return model.applyChatTemplate(messages, tools);
  }

  /**
   * Counts the generation as running (or waiting) from here until the engine ends it, or at once undoes that when the
   * engine refuses it (a prompt too long, a closed model): every path leaves the gauges as it found them.
   */
  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    Measured measured = new Measured(sink);
    try {
      return model.generate(generation, measured);
    } catch (RuntimeException e) {
      measured.end();
      throw e;
    }
  }

  /** One generation's sink, recording its metrics; {@link #end()} runs once whatever calls it. */
  private final class Measured implements TokenSink {
    private final TokenSink sink;
    private final long start = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();

    /** Still counted as waiting: it arrived with every slot taken and has not produced a token yet. */
    private final AtomicBoolean waiting;

    private long last;

    Measured(TokenSink sink) {
      this.sink = sink;
      // Requests beyond the engine's slots wait for one; the split is what the engine's scheduler does too.
      metrics.inFlight().incrementAndGet();
      boolean queued = engineHeld.incrementAndGet() > slots;
      if (queued) {
        metrics.waiting().incrementAndGet();
      }
      waiting = new AtomicBoolean(queued);
    }

    @Override
    public void text(String piece) {
      tick();
      sink.text(piece);
    }

    @Override
    public void tokens(String piece, List<TokenLogprob> logprobs) {
      tick();
      sink.tokens(piece, logprobs);
    }

    private void tick() {
      long now = System.nanoTime();
      if (last == 0) {
        metrics.firstToken(now - start);
        leaveWaiting();
      } else {
        metrics.perToken(now - last);
      }
      last = now;
    }

    @Override
    public void done(FinishReason reason, int promptTokens, int completionTokens) {
      if (end()) {
        metrics.finished(reason, System.nanoTime() - start, promptTokens, completionTokens);
      }
      sink.done(reason, promptTokens, completionTokens);
    }

    @Override
    public void failed(Throwable error) {
      if (end()) {
        metrics.failed();
      }
      sink.failed(error);
    }

    /** True the first time: an engine that reports a sink's own failure after {@code done} counts once. */
    boolean end() {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      metrics.inFlight().decrementAndGet();
      engineHeld.decrementAndGet();
      leaveWaiting();
      return true;
    }

    private void leaveWaiting() {
      if (waiting.compareAndSet(true, false)) {
        metrics.waiting().decrementAndGet();
      }
    }
  }

  @Override
  public int countTokens(String text) {
    return model.countTokens(text);
  }

  @Override
  public List<float[]> embed(List<String> inputs) {
    return model.embed(inputs);
  }

  @Override
  public int contextLength() {
    return model.contextLength();
  }

  @Override
  public Optional<String> fault() {
    return model.fault();
  }

  /** Cancels what is queued and running at once, then frees the model. */
  @Override
  public void close() {
    drainAndClose(Duration.ZERO);
  }
}
