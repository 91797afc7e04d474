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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several choices under the per-key fairness: a request's choices are its key's jobs, queued all or none, counted
 * against the key's share and served in the key's turns, so another key's request does not wait behind all of them.
 */
class ChoicesFairnessTest {
  @TempDir Path repo;
  final HeldModel held = new HeldModel();
  final List<String> charged = new CopyOnWriteArrayList<>();
  LanguageModels models;
  ServedLanguageModel model;

  /** One slot, eight queue places, two of them per key. */
  @BeforeEach
  void serve() {
    models =
        new LanguageModels(
            () -> List.of(new LanguageSource("held", 1, repo.resolve("model.gguf"))),
            held,
            new LlmSettings(64, 1, 8, Duration.ofSeconds(30), Duration.ofSeconds(5), 2, 64, 0, 8),
            (who, m, tokens) -> charged.add(who + " " + tokens),
            new SimpleMeterRegistry());
    model = models.get("held").orElseThrow().model();
  }

  @AfterEach
  void close() {
    held.release();
    models.close();
  }

  static Generation seeded(long seed) {
    return new Generation("", 8, 0.8, 1, seed, List.of());
  }

  @Test
  void aKeyWithNothingWaitingMayQueueAWholeRequestBeyondItsShareAndNoMore() throws Exception {
    ChoicesTest.Heard a = new ChoicesTest.Heard();
    model.submit(ChoicesTest.PROMPT, seeded(10), 4, "a", a); // one runs, three wait: more than a's share of 2
    assertThatThrownBy(() -> model.submit(ChoicesTest.PROMPT, seeded(1), 1, "a", new ChoicesTest.Heard()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED));
    ChoicesTest.Heard b = new ChoicesTest.Heard();
    model.submit(ChoicesTest.PROMPT, seeded(20), 2, "b", b); // another key is still admitted
    // b's two waiting choices are its share: a third of b's is refused, and none of its choices was queued.
    assertThatThrownBy(() -> model.submit(ChoicesTest.PROMPT, seeded(30), 2, "b", new ChoicesTest.Heard()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED))
        .hasMessageContaining("2 choices");
    held.release();
    assertThat(a.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+12");
    assertThat(b.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+6");
    assertThat(held.seeds).doesNotContain(30L, 31L, 1L);
    assertThat(charged).containsExactlyInAnyOrder("a 14", "b 8");
  }

  @Test
  void anotherKeysRequestTakesTurnsWithTheChoicesInsteadOfWaitingForAll() throws Exception {
    ChoicesTest.Heard a = new ChoicesTest.Heard();
    model.submit(ChoicesTest.PROMPT, seeded(10), 5, "a", a);
    ChoicesTest.Heard b = new ChoicesTest.Heard();
    model.submit(ChoicesTest.PROMPT, seeded(20), 1, "b", b);
    held.release();
    assertThat(a.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+15");
    assertThat(b.totals.get(5, TimeUnit.SECONDS)).isEqualTo("2+3");
    List<Long> order = List.copyOf(held.seeds);
    // a's first choice had the slot; b's request is served within a turn, not after a's four waiting choices.
    assertThat(order.indexOf(20L)).as(order.toString()).isLessThanOrEqualTo(2);
    assertThat(order).containsExactlyInAnyOrder(10L, 11L, 12L, 13L, 14L, 20L);
  }
}
