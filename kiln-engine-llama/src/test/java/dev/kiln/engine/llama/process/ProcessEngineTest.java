package dev.kiln.engine.llama.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import dev.kiln.engine.llama.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine in a child process: the same answers as in process, and a crash that ends only that process. */
class ProcessEngineTest {
  @TempDir Path dir;

  ProcessEngine engine() {
    return new ProcessEngine(
        new LlamaOptions(0, 1, 1),
        ProcessOptions.defaults().withWorkFolder(dir.resolve("work")).withRestarts(3, Duration.ofMillis(200)));
  }

  static Generation greedy(String prompt, int maxTokens) {
    return new Generation(prompt, maxTokens, 0, 1, null, List.of());
  }

  @Test
  void answersAsTheInProcessEngineDoes() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    List<ChatMessage> chat = List.of(new ChatMessage("user", "hello \"kiln\"\n"));
    try (LanguageModel local = new LlamaEngine(new LlamaOptions(0, 1, 1)).load(file, 256, 2);
        LanguageModel child = engine().load(file, 256, 2)) {
      assertThat(child.contextLength()).isEqualTo(local.contextLength());
      assertThat(child.applyChatTemplate(chat)).isEqualTo(local.applyChatTemplate(chat));
      assertThat(child.countTokens("hello world")).isEqualTo(local.countTokens("hello world"));
      assertThat(child.embed(List.of("stone", "clay")))
          .usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(local.embed(List.of("stone", "clay")));
      Sink a = new Sink();
      Sink b = new Sink();
      local.generate(greedy("hello world", 20), a);
      child.generate(greedy("hello world", 20), b);
      assertThat(b.await()).isEqualTo(a.await());
      assertThat(b.await().reason()).isEqualTo(FinishReason.LENGTH);
      // A refusal crosses with its kind and message.
      assertThatThrownBy(() -> child.generate(greedy("hello ".repeat(300), 5), new Sink()))
          .isInstanceOf(KilnException.class)
          .hasMessageStartingWith("prompt: ")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
      assertThat(child.fault()).isEmpty();
    }
  }

  @Test
  void aGgufThatPassesKilnsChecksAndAbortsLlamaCppFailsToLoadWithoutHarmingThisProcess() throws Exception {
    Path file = dir.resolve("crash.gguf");
    CrashingGguf.write(file);
    assertThatThrownBy(() -> engine().load(file, 256, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("killed by signal 6");
  }

  @Test
  void aChildKilledMidGenerationFailsItsStreamIsRestartedAndOtherModelsKeepServing() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    ProcessEngine engine = engine();
    try (LanguageModel other = engine.load(file, 512, 1);
        LanguageModel model = engine.load(file, 512, 1)) {
      long victim = ((ProcessLanguageModel) model).pid().orElseThrow();
      Sink stream = new Sink();
      model.generate(greedy("stone", 450), stream);
      stream.awaitFirstPiece();
      ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL
      Sink.End end = stream.await();
      assertThat(end.reason()).isNull();
      assertThat(end.error())
          .isInstanceOf(KilnException.class)
          .hasMessageContaining("killed by signal 9 (SIGKILL)")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.UNAVAILABLE));
      assertThat(model.fault()).hasValueSatisfying(f -> assertThat(f).contains("killed by signal 9"));
      // Meanwhile the other model's process serves.
      Sink beside = new Sink();
      other.generate(greedy("clay", 8), beside);
      assertThat(beside.await().reason()).isEqualTo(FinishReason.LENGTH);
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (model.fault().isPresent() && System.nanoTime() < until) {
        assertThatThrownBy(() -> model.generate(greedy("clay", 8), new Sink()))
            .isInstanceOf(KilnException.class)
            .hasMessageContaining("restarting");
        Thread.sleep(50);
      }
      assertThat(model.fault()).isEmpty();
      assertThat(((ProcessLanguageModel) model).pid()).isPresent().isNotEqualTo(victim);
      Sink after = new Sink();
      model.generate(greedy("clay", 8), after);
      assertThat(after.await().completionTokens()).isEqualTo(8);
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void aModelFolderLeftByAServerThatWasKilledIsDeletedAtTheNextStart() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    // No process has this id (above Linux's largest pid_max): its server is gone.
    Path stale = Files.createDirectories(work.resolve("kiln-llm-99999999-123"));
    Files.writeString(stale.resolve("model.gguf"), "decrypted");
    Path live = Files.createDirectories(work.resolve("kiln-llm-" + ProcessHandle.current().pid() + "-456"));
    Path other = Files.createDirectories(work.resolve("not-kiln"));
    engine();
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(other).exists();
  }

  @Test
  void aChildThatStopsAnsweringIsKilledByTheHeartbeatAndRestarted() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    ProcessOptions fast =
        new ProcessOptions(
            dir.resolve("work"),
            "256m",
            3,
            Duration.ofMillis(200),
            Duration.ofMillis(200), // silent for 1 s: killed
            Duration.ofSeconds(120),
            Duration.ofSeconds(5),
            Optional.empty());
    try (LanguageModel model = new ProcessEngine(new LlamaOptions(0, 1, 1), fast).load(file, 256, 1)) {
      long frozen = ((ProcessLanguageModel) model).pid().orElseThrow();
      // SIGSTOP: alive, its socket open, and silent, as a process hung in native code is.
      assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(frozen)).start().waitFor()).isZero();
      assertThat(ProcessHandle.of(frozen).orElseThrow().onExit()).succeedsWithin(Duration.ofSeconds(30));
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!((ProcessLanguageModel) model).pid().filter(p -> p != frozen).isPresent() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(((ProcessLanguageModel) model).pid()).isPresent().isNotEqualTo(Optional.of(frozen));
      Sink after = new Sink();
      model.generate(greedy("clay", 8), after);
      assertThat(after.await().completionTokens()).isEqualTo(8);
    }
  }
}
