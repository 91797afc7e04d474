package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.engine.llama.TinyLlama;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A registry GGUF's decrypted copy lives only while a process serves it (issue 16): staged in the plaintext scratch,
 * linked from its model's owner-only folder, and deleted, link and copy, when the version is unloaded.
 */
class StagedLanguageModelReleaseTest extends GovernanceServerFixture {
  /** The GGUF files under {@code folder} (a model's folder also holds llama.cpp's unpacked library). */
  static long files(Path folder) throws Exception {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(folder)) {
      return all.filter(f -> f.getFileName().toString().endsWith(".gguf")).count();
    }
  }

  @Test
  void theDecryptedCopyOfAReplacedVersionIsGoneOnceItIsUnloaded() throws Exception {
    start(true);
    Path gguf = data.resolve("tiny.gguf");
    TinyLlama.write(gguf, 9);
    HttpResponse<String> pushed = callBytes("POST", "/api/v1/models/chatty/versions", admin, Files.readAllBytes(gguf));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    String chat = "{\"model\":\"chatty\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";
    assertThat(call("POST", "/v1/chat/completions", admin, chat).statusCode()).isEqualTo(200);
    Path staged = scratchFolder(scratch, "llm");
    Path processes = scratchFolder(scratch, "llm-process");
    assertThat(files(staged)).isEqualTo(1);
    try (Stream<Path> folders = Files.list(processes)) {
      Path folder = folders.findFirst().orElseThrow();
      assertThat(Files.getPosixFilePermissions(folder)).hasSize(3); // rwx for the owner only
      assertThat(Files.isSameFile(folder.resolve("model.gguf"), Files.list(staged).findFirst().orElseThrow())).isTrue();
    }

    // Version 2 replaces it: version 1 drains and is unloaded, and with it its process, its folder and its plaintext.
    Path second = data.resolve("tiny-2.gguf");
    TinyLlama.write(second, 10);
    assertThat(callBytes("POST", "/api/v1/models/chatty/versions", admin, Files.readAllBytes(second)).statusCode())
        .isEqualTo(201);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((files(staged) > 1 || files(processes) > 1) && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(files(staged)).as("the staged plaintext: version 2's only").isEqualTo(1);
    assertThat(files(processes)).as("the models' folders: version 2's link only").isEqualTo(1);
    assertThat(call("POST", "/v1/chat/completions", admin, chat).statusCode()).isEqualTo(200);
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).hasSize(1);
    kiln.close();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }
}
