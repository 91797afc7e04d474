package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaLanguageModelTest {
  private static final Logger LOG = Logger.getLogger(LlamaLanguageModelTest.class.getName());

  @TempDir static Path dir;
  static LanguageModel model;

  @BeforeAll
  static void load() {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    model = new LlamaEngine(new LlamaOptions(256, 4, 2)).load(file);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static Generation greedy(String prompt, int maxTokens, String... stop) {
    return new Generation(prompt, maxTokens, 0, 1, null, List.of(stop));
  }

  private static Collected.Result run(Generation g) throws Exception {
    Collected sink = new Collected();
    model.generate(g, sink);
    return sink.await();
  }

  @Test
  void unpacksTheNativeLibraryIntoAnOwnerOnlyFolderOfThisProcess() throws Exception {
    Path folder = Path.of(System.getProperty(NativeFolder.PROPERTY));
    assertThat(folder).isNotEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(folder.resolve("libjllama.so")).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
  }

  @Test
  void loadsWithTheConfiguredContext() {
    assertThat(model.contextLength()).isEqualTo(256);
    assertThat(model.countTokens("hello world")).isPositive();
  }

  @Test
  void streamsPiecesAndEndsWithLengthAtMaxTokens() throws Exception {
    Collected.Result r = run(greedy("hello world", 12));
    assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(r.completionTokens()).isEqualTo(12);
    assertThat(r.pieces()).isGreaterThan(1);
    assertThat(r.promptTokens()).isEqualTo(model.countTokens("hello world") + 1); // + BOS
    assertThat(r.text()).isNotEmpty();
  }

  @Test
  void stopStringEndsWithStopAndIsLeftOut() throws Exception {
    String full = run(greedy("the kiln", 24)).text();
    String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
    Collected.Result r = run(greedy("the kiln", 24, stop));
    assertThat(r.reason()).isEqualTo(FinishReason.STOP);
    assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop))).doesNotContain(stop);
    assertThat(r.completionTokens()).isLessThan(24);
  }

  @Test
  void sameSeedGivesTheSameTextAndGreedyIsDeterministic() throws Exception {
    Generation sampled = new Generation("hello", 20, 0.9, 0.95, 7L, List.of());
    assertThat(run(sampled).text()).isEqualTo(run(sampled).text());
    assertThat(run(greedy("hello", 20)).text()).isEqualTo(run(greedy("hello", 20)).text());
  }

  /** Four generations on four slots run together: each had its first token before any had its last. */
  @Test
  void fourGenerationsOnFourSlotsOverlap() throws Exception {
    int tokens = 200;
    List<Collected> sinks = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 4; i++) {
      Collected sink = new Collected();
      model.generate(new Generation("hello " + i, tokens, 0.8, 0.95, (long) i, List.of()), sink);
      sinks.add(sink);
    }
    List<Collected.Result> results = new ArrayList<>();
    for (Collected s : sinks) {
      results.add(s.await());
    }
    long wall = System.nanoTime() - start;
    assertThat(results)
        .allSatisfy(r -> {
          assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
          assertThat(r.completionTokens()).isEqualTo(tokens);
        });
    long firstEnd = results.stream().mapToLong(Collected.Result::endNanos).min().orElseThrow();
    long lastStart = results.stream().mapToLong(Collected.Result::startNanos).max().orElseThrow();
    assertThat(lastStart).as("the last first token came before the first generation ended").isLessThan(firstEnd);
    LOG.info(String.format("tiny llama: 4 streams %.0f tokens/s in all", 4 * tokens / (wall / 1e9)));
  }

  /**
   * A cancel takes effect at the next token, whatever the machine's speed: the sink holds the generation at its first
   * piece until the cancel is made, so it cannot run on to its 200 tokens meanwhile.
   */
  @Test
  void cancelEndsTheGenerationAndFreesTheSlot() throws Exception {
    for (int i = 0; i < 5; i++) { // more cancellations than slots: a slot that stayed taken would show
      Collected sink = Collected.pausingAtFirstPiece();
      LanguageModel.Handle handle = model.generate(greedy("stone", 200), sink);
      assertThat(sink.firstPiece.await(60, TimeUnit.SECONDS)).isTrue();
      handle.cancel();
      sink.resume();
      Collected.Result r = sink.await();
      assertThat(r.reason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(r.completionTokens()).isLessThanOrEqualTo(2);
    }
    assertThat(run(greedy("stone", 5)).reason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void chatTemplateComesFromTheModel() {
    String prompt =
        model.applyChatTemplate(
            List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "say \"hi\"\nplease")));
    assertThat(prompt)
        .isEqualTo(
            "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nsay \"hi\"\nplease"
                + "<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void embedsEachInputAtTheModelWidth() {
    List<float[]> vectors = model.embed(List.of("hello world", "red clay pot"));
    assertThat(vectors).hasSize(2).allSatisfy(v -> assertThat(v).hasSize(TinyLlama.EMBEDDING_LENGTH));
    assertThat(vectors.get(0)).isNotEqualTo(vectors.get(1));
  }

  @Test
  void rejectsBadGenerations() {
    assertThatThrownBy(() -> model.generate(greedy("hi", 0), new Collected())).isInstanceOf(KilnException.class);
    assertThatThrownBy(() -> model.generate(greedy("hello ".repeat(300), 4), new Collected()))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("prompt:");
  }
}
