package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.govern.auth.Scope;
import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser: Debian's Chromium, headless, driven by Playwright ({@code playwright-core} from
 * the npm registry, pinned by the committed lockfile in {@code src/test/console}) against one real server with auth,
 * training, the registry, a tensor model and the tiny language model. Each {@code tests/*.test.mjs} is one test here;
 * they share the server, so each uses names of its own. Screenshots of every page go to {@code
 * target/console-screenshots} (test output, not committed). Needs Node.js, npm and Chromium; under CI their absence is
 * a failure, not a skip.
 */
class ConsoleBrowserTest {
  private static final Path SOURCES = Path.of("src/test/console");
  private static final Path SCREENSHOTS = Path.of("target/console-screenshots").toAbsolutePath();

  @TempDir static Path dir;
  private static Kiln kiln;
  private static Path client;
  private static String adminKey;

  @BeforeAll
  static void start() throws Exception {
    String chromium = chromium();
    boolean tools = chromium != null && run(dir, 30, "node", "--version") == 0 && run(dir, 30, "npm", "--version") == 0;
    if (!tools) {
      assertThat(System.getenv("CI")).as("node, npm and chromium are required under CI").isNotEqualTo("true");
      Assumptions.abort("node, npm or chromium not found");
    }
    client = Files.createDirectories(dir.resolve("client"));
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = client.resolve(SOURCES.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    assertThat(run(client, 300, "npm", "ci", "--no-audit", "--no-fund")).as("npm ci").isZero();
    Files.createDirectories(SCREENSHOTS);

    Path repo = Files.createDirectories(dir.resolve("models"));
    ExampleModels.write(repo, "add_sub", 1, ExampleModels.addSub());
    TinyLlama.write(Files.createDirectories(repo.resolve("tiny-chat/1")).resolve("model.gguf"), 3);
    Path data = dir.resolve("data");
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withModelControl(ModelControl.EXPLICIT)
                .withLlm(new LlmConfig(256, 2))
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true)));
    adminKey =
        kiln.apiKeys()
            .orElseThrow()
            .create("console-admin", List.of(Scope.parse("admin")), null, Map.of(), null, "test")
            .token();
  }

  @AfterAll
  static void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> eachBrowserScenarioPasses() throws IOException {
    try (Stream<Path> tests = Files.list(client.resolve("tests"))) {
      return tests.filter(f -> f.getFileName().toString().endsWith(".test.mjs")).sorted().toList().stream()
          .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> scenario(f)));
    }
  }

  private static void scenario(Path test) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", client.relativize(test).toString())
            .directory(client.toFile())
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("KILN_URL", "http://127.0.0.1:" + kiln.httpPort());
    env.put("KILN_ADMIN_KEY", adminKey);
    env.put("KILN_CHROMIUM", chromium());
    env.put("KILN_SCREENSHOTS", SCREENSHOTS.toString());
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    boolean ended = p.waitFor(300, TimeUnit.SECONDS);
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.println(text);
    assertThat(ended).as("%s ended in time", test.getFileName()).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).as("ran at least one test").containsPattern("pass [1-9]");
  }

  private static String chromium() {
    String given = System.getenv("KILN_CHROMIUM");
    for (String c : new String[] {given, "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
      if (c != null && Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    return null;
  }

  private static int run(Path in, int seconds, String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
      p.getInputStream().transferTo(OutputStream.nullOutputStream());
      return p.waitFor(seconds, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
