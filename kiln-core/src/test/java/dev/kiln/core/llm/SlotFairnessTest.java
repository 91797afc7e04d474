package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ServedLanguageModelTest.Collected;
import dev.kiln.core.repository.LanguageSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission without llama.cpp: keys served round-robin, a key's share of the queue refused with 429 and a retry-after
 * while other keys still get in, the token cap, and prompts too long in bytes or tokens refused before the engine.
 */
class SlotFairnessTest {
  @TempDir Path repo;
  final HeldModel held = new HeldModel();
  LanguageModels models;

  ServedLanguageModel serve(int slots, int queue, int perKey, int maxTokens, int promptBytes) {
    models =
        new LanguageModels(
            () -> List.of(new LanguageSource("held", 1, repo.resolve("model.gguf"))),
            held,
            new LlmSettings(
                64, slots, queue, Duration.ofSeconds(30), Duration.ofSeconds(5), perKey, maxTokens, promptBytes),
            TokenUsage.NONE,
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

  static Generation tokens(int max) {
    return new Generation("", max, 0, 1, null, List.of());
  }

  static Prompt chat(String text) {
    return new Prompt.Chat(List.of(new ChatMessage("user", text)));
  }

  @Test
  void anotherKeysSingleRequestIsServedNextNotAfterTheFlood() throws Exception {
    ServedLanguageModel m = serve(1, 10, 8, 64, 0);
    List<String> finished = new CopyOnWriteArrayList<>();
    List<Collected> all = new ArrayList<>();
    for (int i = 0; i < 9; i++) { // one running, eight queued: a's whole share
      all.add(submit(m, "a" + i, "key-a", finished));
    }
    assertThatThrownBy(() -> m.submit(chat("a9"), tokens(8), "key-a", new Collected()))
        .isInstanceOfSatisfying(
            KilnException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
              assertThat(e.getMessage()).contains("8 requests waiting");
              assertThat(e.retryAfterSeconds()).isPresent();
              assertThat(e.retryAfterSeconds().getAsLong()).isPositive();
            });
    all.add(submit(m, "b0", "key-b", finished)); // the queue has room: another key is admitted
    held.release();
    for (Collected c : all) {
      assertThat(c.await(5)).endsWith("STOP 2+3");
    }
    // First come, first served would finish b0 last; in turns it comes right after the request a had queued first.
    assertThat(finished).hasSize(10).startsWith("a0", "a1", "b0", "a2");
  }

  @Test
  void withoutAPerKeyBoundOneKeyMayTakeTheWholeQueueAndThenItIsFullFor503() {
    ServedLanguageModel m = serve(1, 3, 3, 64, 0);
    for (int i = 0; i < 4; i++) {
      m.submit(chat("a" + i), tokens(8), "key-a", new Collected());
    }
    assertThatThrownBy(() -> m.submit(chat("b"), tokens(8), "key-b", new Collected()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED));
  }

  @Test
  void aKeyWhoseRequestsRunIsNotLimitedWhileSlotsAreFree() throws Exception {
    ServedLanguageModel m = serve(3, 1, 0, 64, 0); // a key may queue nothing, but may run on every free slot
    List<Collected> running = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      running.add(submit(m, "a" + i, "key-a", new CopyOnWriteArrayList<>()));
    }
    // All three were handed a free slot as they came (never counted as queued); a fourth would queue, and may not.
    assertThatThrownBy(() -> m.submit(chat("a3"), tokens(8), "key-a", new Collected()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED));
    held.release();
    for (Collected c : running) {
      assertThat(c.await(5)).endsWith("STOP 2+3");
    }
  }

  @Test
  void askingMoreTokensThanTheCapIsRefusedNamingTheCap() throws Exception {
    ServedLanguageModel m = serve(1, 4, 4, 16, 0);
    assertThat(m.maxTokens()).isEqualTo(16);
    assertThatThrownBy(() -> m.submit(chat("hi"), tokens(17), "k", new Collected()))
        .isInstanceOfSatisfying(
            KilnException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).isEqualTo("max_tokens: 17 (expected: at most 16, this server's cap)");
            });
    held.release();
    Collected ok = new Collected();
    m.submit(chat("hi"), tokens(16), "k", ok);
    assertThat(ok.await(5)).isEqualTo("hi STOP 2+3");
  }

  @Test
  void theCapIsNeverMoreThanTheContextLength() {
    assertThat(serve(1, 4, 4, Integer.MAX_VALUE, 0).maxTokens()).isEqualTo(64);
  }

  @Test
  void aPromptLongerThanTheByteBoundIsRefusedBeforeItIsQueuedOrTemplated() {
    ServedLanguageModel m = serve(1, 0, 0, 64, 10);
    assertThatThrownBy(() -> m.submit(chat("héllo wörld"), tokens(8), "k", new Collected()))
        .isInstanceOfSatisfying(
            KilnException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
              assertThat(e.getMessage()).isEqualTo("prompt: 13 bytes (expected: at most 10)");
            });
    assertThatThrownBy(
            () -> m.submit(new Prompt.Text("\uD83D\uDD25\uD83D\uDD25\uD83D\uDD25"), tokens(8), "k", new Collected()))
        .hasMessage("prompt: 12 bytes (expected: at most 10)");
    assertThat(held.templated).hasValue(0);
    assertThat(held.nativeThreads).isEmpty();
  }

  @Test
  void byDefaultThePromptBoundIs64BytesPerTokenOfContext() {
    ServedLanguageModel m = serve(1, 0, 0, 64, 0);
    assertThatThrownBy(() -> m.submit(chat("x".repeat(64 * 64 + 1)), tokens(8), "k", new Collected()))
        .hasMessage("prompt: 4097 bytes (expected: at most 4096)");
  }

  @Test
  void aPromptOfAsManyTokensAsTheContextFailsNamingBothAndIsNeverGenerated() throws Exception {
    ServedLanguageModel m = serve(1, 4, 4, 64, 0);
    held.release();
    Collected tooLong = new Collected();
    m.submit(chat("x".repeat(64)), tokens(8), "k", tooLong); // the held model's tokens are its characters
    assertThat(tooLong.failure(5))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessage("prompt: 64 tokens (expected: fewer than 64, the model's context length)");
    assertThat(held.generated).hasValue(0);
    Collected fits = new Collected();
    m.submit(chat("x".repeat(63)), tokens(8), "k", fits);
    assertThat(fits.await(5)).endsWith("STOP 2+3");
  }

  /** Submits {@code text} as {@code key}'s, adding it to {@code finished} when it ends. */
  private static Collected submit(ServedLanguageModel m, String text, String key, List<String> finished) {
    Collected c = new Collected();
    m.submit(
        chat(text),
        tokens(8),
        key,
        new TokenSink() {
          @Override
          public void text(String piece) {
            c.text(piece);
          }

          @Override
          public void done(FinishReason reason, int promptTokens, int completionTokens) {
            finished.add(text);
            c.done(reason, promptTokens, completionTokens);
          }

          @Override
          public void failed(Throwable error) {
            c.failed(error);
          }
        });
    return c;
  }
}
