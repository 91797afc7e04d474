package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenLogprob;
import dev.kiln.core.llm.TokenSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token log-probabilities from llama.cpp on the tiny random-weight model: real, ordered, consistent with the text. */
class LogprobsTest {
  @TempDir static Path dir;
  static LanguageModel model;

  @BeforeAll
  static void load() {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    model = new LlamaEngine(new LlamaOptions(256, 2, 2)).load(file);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  record Run(String text, List<String> pieces, List<TokenLogprob> tokens, FinishReason reason, int completion) {}

  static Run run(Generation g) throws Exception {
    return run(model, g, 60);
  }

  /** Runs {@code g} on {@code on}, collecting its pieces and token log-probabilities (also for other test classes). */
  static Run run(LanguageModel on, Generation g, int timeoutSeconds) throws Exception {
    List<String> pieces = new CopyOnWriteArrayList<>();
    List<TokenLogprob> tokens = new CopyOnWriteArrayList<>();
    CompletableFuture<Run> done = new CompletableFuture<>();
    on.generate(
        g,
        new TokenSink() {
          @Override
          public void text(String piece) {
            pieces.add(piece);
          }

          @Override
          public void tokens(String piece, List<TokenLogprob> logprobs) {
            pieces.add(piece);
            tokens.addAll(logprobs);
          }

          @Override
          public void done(FinishReason reason, int promptTokens, int completionTokens) {
            done.complete(new Run(String.join("", pieces), pieces, tokens, reason, completionTokens));
          }

          @Override
          public void failed(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    return done.get(timeoutSeconds, TimeUnit.SECONDS);
  }

  static Generation with(String prompt, int max, double temperature, Long seed, int logprobs, String... stop) {
    return new Generation(prompt, max, temperature, 1, seed, List.of(stop), null, logprobs);
  }

  @Test
  void everyTokenHasARealLogprobAndItsLikeliestAlternativesInOrder() throws Exception {
    Run r = run(with("hello world", 12, 0.9, 3L, 5));
    assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(r.tokens()).hasSize(12).hasSize(r.completion());
    StringBuilder text = new StringBuilder();
    for (TokenLogprob t : r.tokens()) {
      text.append(new String(t.bytes(), StandardCharsets.UTF_8));
      assertThat(t.logprob()).isLessThanOrEqualTo(0).isGreaterThan(-100);
      assertThat(t.top()).hasSize(5);
      assertThat(t.top()).isSortedAccordingTo((a, b) -> Double.compare(b.logprob(), a.logprob()));
      assertThat(t.top().stream().mapToDouble(a -> Math.exp(a.logprob())).sum()).isLessThanOrEqualTo(1.0 + 1e-9);
      assertThat(t.logprob()).isLessThanOrEqualTo(t.top().get(0).logprob());
      t.top().stream()
          .filter(a -> a.token().equals(t.token()))
          .findFirst()
          .ifPresent(a -> assertThat(a.logprob()).isCloseTo(t.logprob(), within(1e-12)));
    }
    assertThat(text.toString()).isEqualTo(r.text());
  }

  @Test
  void greedyPicksTheLikeliestTokenAndMatchesTheEnginesOwnGreedyText() throws Exception {
    Run withLogprobs = run(with("the kiln", 16, 0, null, 2));
    for (TokenLogprob t : withLogprobs.tokens()) {
      assertThat(t.token()).isEqualTo(t.top().get(0).token());
      assertThat(t.logprob()).isEqualTo(t.top().get(0).logprob());
    }
    Run plain = run(with("the kiln", 16, 0, null, Generation.NO_LOGPROBS));
    assertThat(plain.tokens()).isEmpty();
    assertThat(withLogprobs.text()).isNotEmpty().isEqualTo(plain.text());
  }

  @Test
  void theSameSeedGivesTheSameTokensAndLogprobs() throws Exception {
    Run a = run(with("hello", 20, 1.2, 11L, 0));
    Run b = run(with("hello", 20, 1.2, 11L, 0));
    assertThat(a.text()).isEqualTo(b.text());
    assertThat(a.tokens().stream().map(TokenLogprob::logprob).toList())
        .isEqualTo(b.tokens().stream().map(TokenLogprob::logprob).toList());
    assertThat(a.tokens()).allSatisfy(t -> assertThat(t.top()).isEmpty());
  }

  @Test
  void aStopStringEndsTheTextAndItsTokensAreNotReported() throws Exception {
    String full = run(with("the kiln", 24, 0, null, 1)).text();
    String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
    Run r = run(with("the kiln", 24, 0, null, 1, stop));
    assertThat(r.reason()).isEqualTo(FinishReason.STOP);
    assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop)).substring(0, r.text().length()));
    assertThat(r.text()).doesNotContain(stop);
    assertThat(String.join("", r.tokens().stream().map(TokenLogprob::token).toList())).isEqualTo(r.text());
  }

  @Test
  void generationsWithAndWithoutLogprobsRunningTogetherGiveWhatEachGivesAlone() throws Exception {
    Generation plain = with("hello world", 40, 0, null, Generation.NO_LOGPROBS);
    Generation scored = with("the kiln", 40, 0, null, 3);
    String plainAlone = run(plain).text();
    String scoredAlone = run(scored).text();
    for (int i = 0; i < 6; i++) {
      CompletableFuture<Run> a = CompletableFuture.supplyAsync(() -> quietly(plain));
      CompletableFuture<Run> b = CompletableFuture.supplyAsync(() -> quietly(scored));
      assertThat(a.get(60, TimeUnit.SECONDS).text()).isEqualTo(plainAlone);
      assertThat(b.get(60, TimeUnit.SECONDS).text()).isEqualTo(scoredAlone);
    }
  }

  static Run quietly(Generation g) {
    try {
      return run(g);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
