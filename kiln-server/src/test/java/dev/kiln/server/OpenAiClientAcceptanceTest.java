package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.engine.llama.TinyLlama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance with a client nobody here wrote: the official {@code openai} package from the npm registry, installed by
 * this test, calls models, chat (streamed and not), completions and embeddings, JSON-schema output and a tool-call
 * round trip (streamed and not, through the SDK's own parsing and stream helpers), and checks the error shapes, against
 * a server with auth on. Needs Node.js and npm; under CI their absence is a failure, not a skip.
 */
class OpenAiClientAcceptanceTest {
  @TempDir Path dir;

  @Test
  void theOfficialOpenAiClientWorksAgainstKiln() throws Exception {
    boolean node = run(dir, 30, "node", "--version") == 0 && run(dir, 30, "npm", "--version") == 0;
    if (!node) {
      assertThat(System.getenv("CI")).as("node and npm are required under CI").isNotEqualTo("true");
      Assumptions.abort("node/npm not found");
    }
    Path client = Files.createDirectories(dir.resolve("client"));
    for (String f : new String[] {"package.json", "package-lock.json", "acceptance.mjs"}) {
      Files.copy(Path.of("src/test/openai", f), client.resolve(f));
    }
    assertThat(run(client, 300, "npm", "ci", "--no-audit", "--no-fund")).as("npm ci").isZero();

    Path repo = Files.createDirectories(dir.resolve("models"));
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny/1")).resolve("model.gguf"), 3);
    try (Kiln kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withLlm(new LlmConfig(1024, 2))
                .withGovernance(GovernanceConfig.defaults(dir.resolve("data")).withAuth(true)))) {
      String key =
          kiln.apiKeys()
              .orElseThrow()
              .create(
                  "node",
                  java.util.List.of(dev.kiln.govern.auth.Scope.parse("invoke:*")),
                  null,
                  java.util.Map.of(),
                  null,
                  "test")
              .token();
      ProcessBuilder pb =
          new ProcessBuilder("node", "acceptance.mjs").directory(client.toFile()).redirectErrorStream(true);
      pb.environment().put("KILN_URL", "http://127.0.0.1:" + kiln.httpPort());
      pb.environment().put("KILN_MODEL", "tiny");
      pb.environment().put("KILN_API_KEY", key);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out)
          .contains(
              "ok   chat.completions stream",
              "ok   embeddings",
              "ok   chat logprobs stream",
              "ok   completions logprobs",
              "ok   n=3 stream",
              "ok   json_schema n=2 logprobs stream",
              "openai acceptance: all checks passed")
          .contains("ok   json_schema stream", "ok   tool call stream", "ok   tool answer stream", "ok   tool call:");

      ProcessBuilder noKey =
          new ProcessBuilder(
                  "node",
                  "-e",
                  "import('openai').then(async ({default: O}) => {"
                      + "try { await new O({baseURL: process.env.U + '/v1', apiKey: 'nope', maxRetries: 0}).models.list(); "
                      + "process.exit(3) } catch (e) { console.log(e.status, e.code); process.exit(e.status === 401 ? 0 : 4) } })")
              .directory(client.toFile())
              .redirectErrorStream(true);
      noKey.environment().put("U", "http://127.0.0.1:" + kiln.httpPort());
      Process q = noKey.start();
      String o = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(q.exitValue()).as(o).isZero();
      assertThat(o).contains("401 invalid_api_key");
    }
  }

  private static int run(Path dir, int seconds, String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor(seconds, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
