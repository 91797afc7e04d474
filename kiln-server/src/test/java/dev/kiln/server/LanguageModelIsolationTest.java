package dev.kiln.server;

import static dev.kiln.server.LanguageModelLifecycleTest.JSON;
import static dev.kiln.server.LanguageModelLifecycleTest.call;
import static dev.kiln.server.LanguageModelLifecycleTest.index;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.serving.CoreSettings;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.onnx.ExampleModels;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp in a child process per model (issue 16): a killed child fails only its own model's requests, is restarted,
 * and tensor models serve on; a GGUF that makes llama.cpp abort fails only its own model.
 */
class LanguageModelIsolationTest {
  static final String ADD_SUB =
      "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";
  static final String CHAT =
      "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path repo;

  /**
   * The tiny model with {@code ▁world} renamed {@code ▁hello} (same length, every offset still valid): Kiln's checks
   * pass, llama.cpp 4.2.0 aborts on the duplicate token ({@code GGML_ASSERT(id_to_token.size() ==
   * token_to_id.size())}).
   */
  static void writeCrashingGguf(Path file) throws Exception {
    TinyLlama.write(file, 1);
    String bytes = Files.readString(file, StandardCharsets.ISO_8859_1);
    String world = new String("▁world".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    String hello = new String("▁hello".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    Files.writeString(file, bytes.replaceFirst(world, hello), StandardCharsets.ISO_8859_1);
  }

  /** The one language model's process: this JVM starts no other (the aborting model's has exited). */
  static ProcessHandle llamaChild() {
    List<ProcessHandle> children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    assertThat(children).hasSize(1);
    return children.getFirst();
  }

  @Test
  void aKilledChildFailsOnlyItsStreamIsRestartedAndTensorTrafficSeesNoFailure() throws Exception {
    ExampleModels.write(repo, "add_sub", 1, ExampleModels.addSub());
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 7);
    writeCrashingGguf(Files.createDirectories(repo.resolve("crash/1")).resolve("model.gguf"));
    try (Kiln k =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withModelControl(ModelControl.EXPLICIT)
                .withCore(new CoreSettings(Duration.ofSeconds(30), Duration.ofSeconds(5)))
                .withLlm(new LlmConfig(2048, 2)))) {
      // The aborting GGUF failed only itself, with the reason; the others serve.
      assertThat(index(k).get("crash/1")).startsWith("UNAVAILABLE ").contains("killed by signal 6 (SIGABRT)");
      assertThat(index(k)).containsEntry("tiny/1", "READY ").containsEntry("add_sub/1", "READY ");

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      CompletableFuture<Void> tensors =
          CompletableFuture.runAsync(
              () -> {
                while (running.get()) {
                  try {
                    int s = call(k, "POST", "/v2/models/add_sub/infer", ADD_SUB).statusCode();
                    (s == 200 ? ok : failed).incrementAndGet();
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                }
              },
              Thread::startVirtualThread);

      CompletableFuture<List<String>> stream = LanguageModelLifecycleTest.longStream(k);
      ProcessHandle victim = llamaChild();
      victim.destroyForcibly(); // SIGKILL mid-generation
      List<String> lines = stream.get(60, TimeUnit.SECONDS);
      assertThat(lines.getLast()).startsWith("data: {\"error\":").contains("killed by signal 9 (SIGKILL)");
      assertThat(lines).noneMatch(l -> l.equals("data: [DONE]"));
      assertThat(index(k).get("tiny/1")).startsWith("UNAVAILABLE ").contains("killed by signal 9");
      HttpResponse<String> during = call(k, "POST", "/v1/chat/completions", CHAT);
      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(during.body()).at("/error/message").asText()).contains("killed by signal 9");

      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!index(k).get("tiny/1").equals("READY ") && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertThat(llamaChild().pid()).isNotEqualTo(victim.pid());
      HttpResponse<String> after = call(k, "POST", "/v1/chat/completions", CHAT);
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      assertThat(JSON.readTree(after.body()).at("/usage/completion_tokens").asInt()).isEqualTo(4);

      running.set(false);
      tensors.get(30, TimeUnit.SECONDS);
      assertThat(ok.get()).isPositive();
      assertThat(failed.get()).isZero();
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }
}
