package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.ChoiceSink;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.llm.LlmSettings;
import dev.kiln.core.llm.Prompt;
import dev.kiln.core.llm.ServedLanguageModel;
import dev.kiln.core.llm.TokenLogprob;
import dev.kiln.core.repository.LanguageSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several choices on llama.cpp: decoded in parallel slots, reproducible per choice by seed, charged once per token. */
class ChoicesOnLlamaTest {
  @TempDir static Path repo;
  static final List<Long> charged = new CopyOnWriteArrayList<>();
  static LanguageModels models;
  static ServedLanguageModel tiny;

  @BeforeAll
  static void load() throws Exception {
    Path file = Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf");
    TinyLlama.write(file, 8);
    models =
        new LanguageModels(
            () -> List.of(new LanguageSource("tiny", 1, file)),
            new LlamaEngine(new LlamaOptions(0, 1, 2)),
            new LlmSettings(256, 3, 8, Duration.ofSeconds(30), Duration.ofSeconds(10), 4),
            (who, model, tokens) -> charged.add(tokens),
            new SimpleMeterRegistry());
    tiny = models.get("tiny").orElseThrow().model();
  }

  @AfterAll
  static void close() {
    models.close();
  }

  record Answer(Map<Integer, String> text, Map<Integer, Integer> tokens, Map<Integer, Integer> entries, int prompt) {}

  static Answer run(int n, int logprobs) throws Exception {
    Map<Integer, String> text = new ConcurrentHashMap<>();
    Map<Integer, Integer> tokens = new ConcurrentHashMap<>();
    Map<Integer, Integer> entries = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CompletableFuture<Answer> done = new CompletableFuture<>();
    Generation g = new Generation("", 10, 1.3, 1, 21L, List.of(), null, logprobs);
    tiny.submit(
        new Prompt.Chat(List.of(new ChatMessage("user", "hello"))),
        g,
        n,
        "key",
        new ChoiceSink() {
          @Override
          public void text(int index, String piece, List<TokenLogprob> lp) {
            if (!text.containsKey(index)) {
              mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            }
            text.merge(index, piece, String::concat);
            entries.merge(index, lp.size(), Integer::sum);
          }

          @Override
          public void choiceDone(int index, FinishReason reason, int completionTokens) {
            tokens.put(index, completionTokens);
          }

          @Override
          public void done(int promptTokens, int completionTokens) {
            assertThat(completionTokens).isEqualTo(tokens.values().stream().mapToInt(Integer::intValue).sum());
            done.complete(new Answer(text, tokens, entries, promptTokens));
          }

          @Override
          public void failed(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    return done.get(60, TimeUnit.SECONDS);
  }

  @Test
  void theSameSeedGivesTheSameChoicesAndEachChoiceItsOwn() throws Exception {
    charged.clear();
    Answer a = run(3, Generation.NO_LOGPROBS);
    Answer b = run(3, Generation.NO_LOGPROBS);
    assertThat(a.text()).containsOnlyKeys(0, 1, 2).isEqualTo(b.text());
    assertThat(a.text().values()).doesNotHaveDuplicates();
    assertThat(a.tokens()).isEqualTo(b.tokens());
    int completion = a.tokens().values().stream().mapToInt(Integer::intValue).sum();
    assertThat(charged).containsExactly((long) a.prompt() + completion, (long) a.prompt() + completion);
  }

  @Test
  void withLogprobsEveryGeneratedTokenHasItsEntryAndIsCountedOnce() throws Exception {
    Answer a = run(3, 2);
    assertThat(a.entries()).isEqualTo(a.tokens());
    assertThat(run(3, 2).text()).isEqualTo(a.text());
  }
}
