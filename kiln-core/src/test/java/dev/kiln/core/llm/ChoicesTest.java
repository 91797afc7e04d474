package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.repository.LanguageSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several choices of one request: each in a slot of its own, seeded apart, charged once for the prompt. */
class ChoicesTest {
  @TempDir Path repo;
  final HeldModel held = new HeldModel();
  final List<String> charged = new CopyOnWriteArrayList<>();
  LanguageModels models;

  ServedLanguageModel serve(int slots, int queue, int maxChoices) {
    models =
        new LanguageModels(
            () -> List.of(new LanguageSource("held", 1, repo.resolve("model.gguf"))),
            held,
            new LlmSettings(64, slots, queue, Duration.ofSeconds(30), Duration.ofSeconds(5), maxChoices),
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

  static final Prompt PROMPT = new Prompt.Chat(List.of(new ChatMessage("user", "hi")));

  static Generation seeded(Long seed) {
    return new Generation("", 8, 0.8, 1, seed, List.of());
  }

  /** What a sink heard: text and end per choice, then the totals. */
  static final class Heard implements ChoiceSink {
    final Map<Integer, String> text = new ConcurrentHashMap<>();
    final Map<Integer, String> ends = new ConcurrentHashMap<>();
    final CompletableFuture<String> totals = new CompletableFuture<>();

    @Override
    public void text(int index, String piece, List<TokenLogprob> logprobs) {
      text.merge(index, piece, String::concat);
    }

    @Override
    public void choiceDone(int index, FinishReason reason, int completionTokens) {
      ends.put(index, reason + " " + completionTokens);
    }

    @Override
    public void done(int promptTokens, int completionTokens) {
      totals.complete(promptTokens + "+" + completionTokens);
    }

    @Override
    public void failed(Throwable error) {
      totals.completeExceptionally(error);
    }
  }

  @Test
  void eachChoiceRunsInItsOwnSlotAndTheUsageCountsThePromptOnce() throws Exception {
    ServedLanguageModel m = serve(3, 4, 8);
    Heard heard = new Heard();
    m.submit(PROMPT, seeded(100L), 3, "key", heard);
    Thread.sleep(100);
    assertThat(held.generated).hasValue(3); // all three hold a slot at once, none waits for another
    held.release();
    assertThat(heard.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+9");
    assertThat(heard.text).containsOnlyKeys(0, 1, 2).containsValues("hi");
    assertThat(heard.ends).containsOnlyKeys(0, 1, 2).containsValues("STOP 3");
    assertThat(held.seeds).containsExactlyInAnyOrder(100L, 101L, 102L);
    assertThat(charged).containsExactly("key held 11");
  }

  @Test
  void withoutASeedEveryChoiceSamplesFreely() throws Exception {
    ServedLanguageModel m = serve(2, 4, 8);
    held.release();
    Heard heard = new Heard();
    m.submit(PROMPT, seeded(null), 2, "key", heard);
    assertThat(heard.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+6");
    assertThat(held.seeds).containsExactly(null, null);
  }

  @Test
  void moreChoicesThanTheBoundAreRefusedNamingIt() {
    ServedLanguageModel m = serve(2, 4, 4);
    assertThatThrownBy(() -> m.submit(PROMPT, seeded(1L), 5, "key", new Heard()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("1 to 4");
    assertThatThrownBy(() -> m.submit(PROMPT, seeded(1L), 0, "key", new Heard())).isInstanceOf(KilnException.class);
    assertThat(held.generated).hasValue(0);
  }

  @Test
  void moreChoicesThanSlotsAndQueuePlacesTogetherAreRefusedAs400AndNothingRuns() {
    ServedLanguageModel m = serve(1, 1, 8);
    Heard heard = new Heard();
    assertThatThrownBy(() -> m.submit(PROMPT, seeded(1L), 3, "key", heard))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("n=3")
        .hasMessageContaining("has 2 (--llm-slots 1 + --llm-queue 1)");
    assertThat(heard.totals).isNotDone();
    assertThat(held.generated).hasValue(0);
  }

  @Test
  void whenTheQueueCannotTakeEveryChoiceNowTheRequestIsRefusedAsBusyAndNoneIsAdmitted() throws Exception {
    ServedLanguageModel m = serve(1, 2, 8);
    Heard first = new Heard();
    m.submit(PROMPT, seeded(1L), 1, "other", first); // holds the only slot until released
    Heard heard = new Heard();
    assertThatThrownBy(() -> m.submit(PROMPT, seeded(1L), 3, "key", heard))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
    held.release();
    assertThat(first.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+3");
    assertThat(heard.totals).isNotDone(); // the caller was told by the exception, not the sink
    // The three choices fit once the slot is free again (it is given back just after the first answer ends).
    Heard next = new Heard();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        m.submit(PROMPT, seeded(1L), 3, "key", next);
        break;
      } catch (KilnException e) {
        if (e.kind() != ErrorKind.RESOURCE_EXHAUSTED || System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(5);
      }
    }
    assertThat(next.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+9");
  }

  @Test
  void cancellingTheRequestCancelsEveryChoice() throws Exception {
    ServedLanguageModel m = serve(2, 4, 8);
    Heard heard = new Heard();
    LanguageModel.Handle h = m.submit(PROMPT, seeded(1L), 3, "key", heard);
    Thread.sleep(100);
    h.cancel();
    assertThat(heard.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+6"); // two ran (2+3 each), one left the queue
    assertThat(heard.ends.values()).containsOnly("CANCELLED 3", "CANCELLED 0");
  }

  @Test
  void eachChoiceGetsItsOwnSeed() {
    Generation g = seeded(41L);
    assertThat(g.forChoice(0).seed()).isEqualTo(41L);
    assertThat(g.forChoice(2).seed()).isEqualTo(43L);
    assertThat(seeded(null).forChoice(3).seed()).isNull();
  }
}
