package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.LanguageModels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LanguageModels} over the real llama.cpp engine: the running and waiting gauges come back to 0 however a
 * generation ends (refused, cancelled, failed), and a file that does not load is refused without its name or path.
 */
class LanguageModelsTest {
  private static final int SLOTS = 2;

  @TempDir static Path repo;
  static MeterRegistry registry = new SimpleMeterRegistry();
  static LanguageModels models;
  static LanguageModel tiny;

  @BeforeAll
  static void load() throws Exception {
    TinyLlama.write(createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 3);
    models = new LanguageModels(repo, new LlamaEngine(new LlamaOptions(0, 1, 2)), 256, SLOTS, registry);
    tiny = models.get("tiny").orElseThrow().model();
  }

  @AfterAll
  static void close() {
    models.close();
  }

  static double gauge(String name) {
    return registry.find(name).tag("model", "tiny").gauge().value();
  }

  static double finished(String reason) {
    return registry
        .find("kiln_llm_requests_finished_total")
        .tag("model", "tiny")
        .tag("finished_reason", reason)
        .counter()
        .count();
  }

  static void assertNothingRunning() {
    assertThat(gauge("kiln_llm_num_requests_running")).isZero();
    assertThat(gauge("kiln_llm_num_requests_waiting")).isZero();
  }

  private static Path createDirectories(Path dir) throws java.io.IOException {
    return Files.createDirectories(dir);
  }

  private static Generation greedy(String prompt, int maxTokens) {
    return new Generation(prompt, maxTokens, 0, 1, null, List.of());
  }

  @Test
  void refusedGenerationsLeaveTheGaugesAtZero() {
    for (int i = 0; i < SLOTS + 2; i++) { // past the slots too: a leak there also counted as waiting
      assertThatThrownBy(() -> tiny.generate(greedy("hello ".repeat(300), 4), new Collected()))
          .isInstanceOf(KilnException.class)
          .hasMessageContaining("prompt:");
      assertThatThrownBy(() -> tiny.generate(greedy("hi", 0), new Collected())).isInstanceOf(KilnException.class);
    }
    assertNothingRunning();
  }

  @Test
  void cancelledGenerationsAreCountedAndLeaveTheGaugesAtZero() throws Exception {
    double before = finished("cancelled");
    for (int i = 0; i < SLOTS + 1; i++) {
      Collected sink = Collected.pausingAtFirstPiece();
      LanguageModel.Handle handle = tiny.generate(greedy("stone", 200), sink);
      assertThat(sink.firstPiece.await(60, TimeUnit.SECONDS)).isTrue();
      handle.cancel();
      sink.resume();
      assertThat(sink.await().reason()).isEqualTo(FinishReason.CANCELLED);
    }
    assertThat(finished("cancelled")).isEqualTo(before + SLOTS + 1);
    assertNothingRunning();
  }

  @Test
  void failedGenerationsAreCountedOnceAndLeaveTheGaugesAtZero() throws Exception {
    double errors = finished("error");
    Collected failsOnText =
        new Collected() {
          @Override
          public void text(String piece) {
            throw new IllegalStateException("the client's sink broke");
          }
        };
    tiny.generate(greedy("stone", 5), failsOnText);
    assertThatThrownBy(failsOnText::await).isInstanceOf(ExecutionException.class);
    assertThat(finished("error")).isEqualTo(errors + 1);
    // A sink that fails at the end makes the engine report a failure after done: that ends nothing twice.
    double lengths = finished("length");
    CountDownLatch failureReported = new CountDownLatch(1);
    Collected failsOnDone =
        new Collected() {
          @Override
          public void done(FinishReason reason, int promptTokens, int completionTokens) {
            super.done(reason, promptTokens, completionTokens);
            throw new IllegalStateException("the client's sink broke at the end");
          }

          @Override
          public void failed(Throwable error) {
            failureReported.countDown();
          }
        };
    tiny.generate(greedy("stone", 5), failsOnDone);
    assertThat(failsOnDone.await().reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(failureReported.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(finished("length")).isEqualTo(lengths + 1);
    assertThat(finished("error")).isEqualTo(errors + 1);
    assertNothingRunning();
  }

  @Test
  void aFileThatDoesNotLoadIsRefusedWithoutItsPathOrName() throws Exception {
    Path good = repo.resolve("source.gguf");
    TinyLlama.write(good, 4);
    byte[] all = Files.readAllBytes(good);
    Path cache = Files.createDirectories(repo.resolve("llm-cache"));
    String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    Path staged = Files.write(cache.resolve(sha + ".gguf"), Arrays.copyOf(all, all.length - 1000));
    assertThatThrownBy(() -> models.serve("evil", 1, staged))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not a valid GGUF file")
        .message()
        .doesNotContain(sha)
        .doesNotContain(repo.toString());
    assertThat(models.get("evil")).isEmpty();
    assertThat(models.get("tiny")).isPresent();
  }
}
