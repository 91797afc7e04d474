package dev.kiln.core.llm;

import dev.kiln.core.metrics.RecentTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Language-model metrics per model, named as vLLM names them with a {@code kiln_llm_} prefix: time to first token, time
 * per output token, end-to-end latency (histograms), prompt and generation tokens (counters), requests finished by
 * reason ({@code kiln_llm_requests_finished_total}, tag {@code finished_reason}: {@code stop}, {@code length}, {@code
 * cancelled}, {@code error}; vLLM's {@code request_success_total} counts the same, errors aside), and requests running
 * and waiting (gauges).
 */
public final class LlmMetrics {
  private final Timer firstToken;
  private final Timer perToken;
  private final Timer endToEnd;
  private final Counter promptTokens;
  private final Counter generationTokens;
  private final Map<FinishReason, Counter> finishedBy = new EnumMap<>(FinishReason.class);
  private final Counter failed;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();

  public LlmMetrics(MeterRegistry registry, String model) {
    firstToken = timer(registry, "kiln_llm_time_to_first_token_seconds", "Time to the first generated token", model);
    perToken = timer(registry, "kiln_llm_time_per_output_token_seconds", "Time between generated tokens", model);
    endToEnd = timer(registry, RecentTraffic.LLM_LATENCY, "Request latency, arrival to last token", model);
    promptTokens =
        Counter.builder("kiln_llm_prompt_tokens_total")
            .description("Prompt tokens processed")
            .tag("model", model)
            .register(registry);
    generationTokens =
        Counter.builder("kiln_llm_generation_tokens_total")
            .description("Tokens generated")
            .tag("model", model)
            .register(registry);
    for (FinishReason r : FinishReason.values()) {
      finishedBy.put(r, finishedCounter(registry, model, r.openAi()));
    }
    failed = finishedCounter(registry, model, "error");
    Gauge.builder("kiln_llm_num_requests_running", this, m -> m.inFlight.get() - m.waiting.get())
        .description("Requests decoding now")
        .tag("model", model)
        .register(registry);
    Gauge.builder("kiln_llm_num_requests_waiting", waiting, AtomicInteger::get)
        .description("Requests waiting for a slot")
        .tag("model", model)
        .register(registry);
  }

  private static Counter finishedCounter(MeterRegistry registry, String model, String reason) {
    return Counter.builder(RecentTraffic.LLM_REQUESTS)
        .description("Requests ended, by why they ended")
        .tag("model", model)
        .tag("finished_reason", reason)
        .register(registry);
  }

  private static Timer timer(MeterRegistry registry, String name, String description, String model) {
    return Timer.builder(name)
        .description(description)
        .tag("model", model)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
  }

  /** Requests accepted and not finished: running plus waiting. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  public AtomicInteger waiting() {
    return waiting;
  }

  public void firstToken(long nanos) {
    firstToken.record(Duration.ofNanos(nanos));
  }

  public void perToken(long nanos) {
    perToken.record(Duration.ofNanos(nanos));
  }

  public void finished(FinishReason reason, long nanos, int prompt, int completion) {
    finishedBy.get(reason).increment();
    endToEnd.record(Duration.ofNanos(nanos));
    promptTokens.increment(prompt);
    generationTokens.increment(completion);
  }

  public void failed() {
    failed.increment();
  }
}
