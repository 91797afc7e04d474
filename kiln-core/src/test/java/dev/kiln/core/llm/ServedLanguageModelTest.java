package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.repository.LanguageSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model request path without llama.cpp: native work on the model's slot threads only, a bounded queue
 * refused at once when full, nothing generated past the deadline, tokens charged when a request ends, and a drain that
 * lets generations finish and refuses new ones.
 */
class ServedLanguageModelTest {
  @TempDir Path repo;
  final HeldModel held = new HeldModel();
  final List<String> charged = new CopyOnWriteArrayList<>();
  LanguageModels models;

  ServedLanguageModel serve(int slots, int queue, Duration deadline, Duration drain) throws Exception {
    models =
        new LanguageModels(
            () -> List.of(new LanguageSource("held", 1, repo.resolve("model.gguf"))),
            held,
            new LlmSettings(64, slots, queue, deadline, drain),
            (who, model, tokens) -> charged.add(who + " " + model + " " + tokens),
            new SimpleMeterRegistry());
    return models.get("held").orElseThrow().model();
  }

  @AfterEach
  void close() {
    held.release();
    if (models != null) {
      models.close();
    }
  }

  static Generation sampling() {
    return new Generation("", 8, 0, 1, null, List.of());
  }

  static Prompt chat(String text) {
    return new Prompt.Chat(List.of(new ChatMessage("user", text)));
  }

  @Test
  void templatingAndGeneratingRunOnTheModelsSlotThreadsAndTheCallerIsChargedOnce() throws Exception {
    ServedLanguageModel m = serve(2, 4, Duration.ofSeconds(30), Duration.ofSeconds(5));
    held.release();
    Collected sink = new Collected();
    m.submit(chat("hi"), sampling(), "key-1", sink);
    assertThat(sink.await(5)).isEqualTo("hi STOP 2+3");
    assertThat(m.embed(List.of("abc"), "key-2").get(5, TimeUnit.SECONDS).tokens()).isEqualTo(3);
    assertThat(held.nativeThreads).isNotEmpty().allMatch(t -> t.startsWith("llm-held-"));
    assertThat(charged).containsExactly("key-1 held 5", "key-2 held 3");
  }

  @Test
  void beyondSlotsAndQueueARequestIsRefusedAtOnce() throws Exception {
    ServedLanguageModel m = serve(1, 2, Duration.ofSeconds(30), Duration.ofSeconds(5));
    List<Collected> admitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // one running, two queued
      Collected c = new Collected();
      m.submit(chat("r" + i), sampling(), "k", c);
      admitted.add(c);
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> m.submit(chat("one too many"), sampling(), "k", new Collected()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
    assertThatThrownBy(() -> m.embed(List.of("x"), "k")).isInstanceOf(KilnException.class);
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    held.release();
    for (Collected c : admitted) {
      assertThat(c.await(5)).endsWith("STOP 2+3");
    }
    assertThat(held.generated).hasValue(3);
  }

  @Test
  void aRequestCancelledInTheQueueFreesItsPlaceAndIsNeverGenerated() throws Exception {
    ServedLanguageModel m = serve(1, 1, Duration.ofSeconds(30), Duration.ofSeconds(5));
    m.submit(chat("running"), sampling(), "k", new Collected());
    Collected queued = new Collected();
    LanguageModel.Handle h = m.submit(chat("queued"), sampling(), "k", queued);
    h.cancel();
    assertThat(queued.await(5)).isEqualTo(" CANCELLED 0+0");
    m.submit(chat("in its place"), sampling(), "k", new Collected()); // the queue place is free again
    held.release();
    assertThat(held.templated).hasValueLessThanOrEqualTo(2);
  }

  @Test
  void aRequestThatWaitedPastItsDeadlineIsNotGeneratedFor() throws Exception {
    ServedLanguageModel m = serve(1, 4, Duration.ofMillis(100), Duration.ofSeconds(5));
    Collected first = new Collected();
    m.submit(chat("first"), sampling(), "k", first);
    Collected late = new Collected();
    m.submit(chat("late"), sampling(), "k", late);
    Thread.sleep(300);
    held.release();
    assertThat(first.await(5)).isEqualTo("first STOP 2+3");
    assertThat(late.failure(5))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.DEADLINE_EXCEEDED));
    assertThat(held.generated).hasValue(1);
    assertThat(held.templated).hasValue(1);
    assertThat(charged).containsExactly("k held 5");
  }

  @Test
  void closingLetsGenerationsInFlightFinishAndRefusesNewOnes() throws Exception {
    ServedLanguageModel m = serve(1, 1, Duration.ofSeconds(30), Duration.ofSeconds(10));
    Collected running = new Collected();
    m.submit(chat("running"), sampling(), "k", running);
    CompletableFuture<Void> closed = CompletableFuture.runAsync(models::close);
    Thread.sleep(200);
    assertThat(closed).isNotDone();
    assertThatThrownBy(() -> m.submit(chat("new"), sampling(), "k", new Collected()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
    held.release();
    closed.get(5, TimeUnit.SECONDS);
    assertThat(running.await(5)).isEqualTo("running STOP 2+3");
  }

  @Test
  void aDrainPastItsWindowCancelsWhatIsStillGenerating() throws Exception {
    ServedLanguageModel m = serve(1, 1, Duration.ofSeconds(30), Duration.ofMillis(200));
    Collected running = new Collected();
    m.submit(chat("endless"), sampling(), "k", running);
    Collected queued = new Collected();
    m.submit(chat("queued"), sampling(), "k", queued);
    long start = System.nanoTime();
    models.close();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(running.await(5)).isEqualTo("endless CANCELLED 2+3");
    assertThat(queued.failure(5))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
  }

  /** A sink that records what it heard as {@code "text REASON p+c"}, or the failure. */
  static final class Collected implements TokenSink {
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<String> end = new CompletableFuture<>();

    @Override
    public synchronized void text(String piece) {
      text.append(piece);
    }

    @Override
    public synchronized void done(FinishReason reason, int promptTokens, int completionTokens) {
      end.complete(text + " " + reason + " " + promptTokens + "+" + completionTokens);
    }

    @Override
    public void failed(Throwable error) {
      end.completeExceptionally(error);
    }

    String await(int seconds) throws Exception {
      return end.get(seconds, TimeUnit.SECONDS);
    }

    Throwable failure(int seconds) {
      try {
        end.get(seconds, TimeUnit.SECONDS);
        throw new AssertionError("expected a failure");
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }
}
