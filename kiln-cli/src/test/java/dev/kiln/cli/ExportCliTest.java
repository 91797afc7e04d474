package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import dev.kiln.training.data.SampleData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kiln models pull} and {@code kiln jobs export} against a real server with auth and encryption at rest. */
class ExportCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path training;
  @TempDir Path files;
  @TempDir Path out;
  Kiln kiln;
  String url;
  String admin;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    Path key = files.resolve("master.key");
    assertThat(kiln("master-key", "new", key.toString()).exit()).isZero();
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(key))
                .withTraining(TrainingConfig.defaults(training)));
    url = "http://127.0.0.1:" + kiln.httpPort();
    admin = kiln.bootstrapToken().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  Run kiln(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true));
      return new Run(cli.execute(args), stdout.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  /** {@code args} then {@code --url} and {@code --key} as the admin. */
  Run admin(String... args) {
    return kiln(Stream.concat(Stream.of(args), Stream.of("--url", url, "--key", admin)).toArray(String[]::new));
  }

  @Test
  void pullByVersionAndByAliasWritesThePushedBytesWithTheirLineage() throws Exception {
    byte[] first = ExampleModels.addSub();
    Path model = Files.write(files.resolve("add_sub.onnx"), first);
    assertThat(admin("models", "push", model.toString(), "--name", "add_sub").exit()).isZero();
    assertThat(admin("models", "push", model.toString(), "--name", "add_sub").exit()).isZero();
    assertThat(admin("models", "alias", "add_sub", "production", "1").exit()).isZero();
    JsonNode v1 = JSON.readTree(admin("models", "show", "add_sub").out()).at("/versions/0");

    Path byVersion = out.resolve("v1.onnx");
    Run pull = admin("models", "pull", "add_sub:1", "-o", byVersion.toString());
    assertThat(pull.exit()).as(pull.err()).isZero();
    assertThat(pull.out()).contains("pulled add_sub version 1", v1.path("sha256").asText());
    assertThat(Files.readAllBytes(byVersion)).isEqualTo(first);
    JsonNode lineage = JSON.readTree(out.resolve("v1.onnx.lineage.json").toFile());
    assertThat(lineage.path("model").asText()).isEqualTo("add_sub");
    assertThat(lineage.path("version").asLong()).isEqualTo(1);
    assertThat(lineage.path("sha256").asText()).isEqualTo(v1.path("sha256").asText()).hasSize(64);
    assertThat(lineage.path("size_bytes").asLong()).isEqualTo(first.length);
    assertThat(lineage.path("format").asText()).isEqualTo("onnx");
    assertThat(lineage.path("source").asText()).isEqualTo("uploaded");
    assertThat(lineage.path("created").asText()).isEqualTo(v1.path("created").asText());

    Path byAlias = out.resolve("prod.onnx");
    Run aliased = admin("models", "pull", "add_sub@production", "-o", byAlias.toString());
    assertThat(aliased.exit()).as(aliased.err()).isZero();
    assertThat(Files.readAllBytes(byAlias)).isEqualTo(first);
    JsonNode prod = JSON.readTree(out.resolve("prod.onnx.lineage.json").toFile());
    assertThat(prod.path("version").asLong()).isEqualTo(1);
    assertThat(prod.path("alias").asText()).isEqualTo("production");

    // A key that may only call the model may not take its weights.
    Run made = admin("keys", "create", "--name", "caller", "--allow", "invoke:add_sub");
    String caller = made.out().lines().filter(l -> l.startsWith("kiln_")).findFirst().orElseThrow();
    Run refused =
        kiln("models", "pull", "add_sub:1", "-o", out.resolve("x.onnx").toString(), "--url", url, "--key", caller);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("HTTP 403");
    assertThat(out.resolve("x.onnx")).doesNotExist();
  }

  @Test
  void aTamperedArtifactIsRefusedAndLeavesNoFile() throws Exception {
    Path model = Files.write(files.resolve("add_sub.onnx"), ExampleModels.addSub());
    assertThat(admin("models", "push", model.toString(), "--name", "add_sub").exit()).isZero();
    Path artifact;
    try (Stream<Path> stored = Files.walk(data.resolve("artifacts"))) {
      artifact =
          stored.filter(p -> Files.isRegularFile(p) && p.toString().contains("/objects/")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(artifact);
    bytes[bytes.length - 20] ^= 1;
    Files.write(artifact, bytes);

    Path target = out.resolve("add_sub.onnx");
    Run pull = admin("models", "pull", "add_sub", "-o", target.toString());
    assertThat(pull.exit()).isEqualTo(2);
    assertThat(pull.err()).contains("HTTP 503", "tampered or corrupted");
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left).isEmpty(); // no model, no lineage, no temporary file
    }
  }

  @Test
  void unknownModelsVersionsAliasesAndJobsAreOneClearError() throws Exception {
    Path target = out.resolve("m.onnx");
    assertThat(admin("models", "pull", "nope", "-o", target.toString()).err()).contains("HTTP 404", "no model 'nope'");
    Path model = Files.write(files.resolve("add_sub.onnx"), ExampleModels.addSub());
    assertThat(admin("models", "push", model.toString(), "--name", "add_sub").exit()).isZero();
    Run noVersion = admin("models", "pull", "add_sub:7", "-o", target.toString());
    assertThat(noVersion.exit()).isEqualTo(2);
    assertThat(noVersion.err()).contains("no version 7 of model 'add_sub'");
    Run noAlias = admin("models", "pull", "add_sub@staging", "-o", target.toString());
    assertThat(noAlias.exit()).isEqualTo(2);
    assertThat(noAlias.err()).contains("no alias 'staging' on model 'add_sub'");
    Run noJob = admin("jobs", "export", "42", "-o", target.toString());
    assertThat(noJob.exit()).isEqualTo(2);
    assertThat(noJob.err()).contains("HTTP 404", "no job 42");
    assertThat(target).doesNotExist();
  }

  @Test
  void exportWritesAFinishedJobsModelThatLoadsWithItsLineage() throws Exception {
    Path csv = SampleData.linear(files.resolve("line.csv"), 200, 7);
    Path spec = Files.writeString(files.resolve("line.yaml"), "layers:\n  - {type: dense, units: 1}\n");
    assertThat(
            admin("datasets", "add", csv.toString(), "--name", "line", "--label", "y", "--task", "regression").exit())
        .isZero();
    Run train = admin("train", "--dataset", "line", "--model", spec.toString(), "--epochs", "2");
    assertThat(train.exit()).as(train.out() + train.err()).isZero();

    Path target = out.resolve("line.onnx");
    Run export = admin("jobs", "export", "1", "-o", target.toString());
    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).contains("exported job 1");
    JsonNode lineage = JSON.readTree(out.resolve("line.onnx.lineage.json").toFile());
    assertThat(lineage.path("job").asLong()).isEqualTo(1);
    assertThat(lineage.at("/dataset/name").asText()).isEqualTo("line");
    assertThat(lineage.at("/dataset/version").asInt()).isEqualTo(1);
    assertThat(lineage.at("/dataset/sha256").asText()).hasSize(64);
    assertThat(lineage.path("sha256").asText()).isEqualTo(ModelFile.sha256(Files.readAllBytes(target)));
    assertThat(lineage.path("spec").isObject()).isTrue();
    assertThat(lineage.at("/settings/epochs").asInt()).isEqualTo(2);
    assertThat(lineage.at("/evaluation/r2").isNumber()).isTrue();
    // Loadable: the registry refuses a push its engine cannot load, so a served version is a loaded one.
    Run push = admin("models", "push", target.toString(), "--name", "line");
    assertThat(push.exit()).as(push.err()).isZero();
    assertThat(push.out()).contains("line version 1", lineage.path("sha256").asText());
  }
}
