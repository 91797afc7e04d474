package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.serving.Target;
import dev.kiln.training.data.SampleData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The training commands of the CLI against a real server: what a user types and reads. */
class TrainingCliTest extends TrainingServerCli {
  @Test
  void addTrainShowAndDeployFromTheCommandLine() throws Exception {
    Path csv = SampleData.digitsCsv(files);
    Path spec =
        Files.writeString(
            files.resolve("mlp.yaml"),
            """
            layers:
              - {type: dense, units: 32, activation: relu}
              - {type: dense, units: 10, activation: softmax}
            optimizer: {name: adam, learning_rate: 0.01}
            """);
    Run add = kiln("datasets", "add", csv.toString(), "--name", "digits", "--label", "digit", "--url", url);
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out())
        .contains(
            "dataset digits version 1: 1797 rows",
            "classification (detected)",
            "add --task regression if they are quantities");
    assertThat(kiln("datasets", "list", "--url", url).out()).contains("TASK", "classification (detected)");

    Run train =
        kiln(
            "train",
            "--dataset",
            "digits",
            "--model",
            spec.toString(),
            "--epochs",
            "4",
            "--batch-size",
            "32",
            "--validation-split",
            "0.1",
            "--deploy",
            "digits",
            "--url",
            url);
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out())
        .contains(
            "job 1 queued",
            "epoch 1/4 ",
            "epoch 4/4 ",
            "val_acc",
            "job 1 succeeded",
            "accuracy",
            "deployed job 1 as digits version 1");

    Run show = kiln("jobs", "show", "1", "--url", url);
    assertThat(show.out()).contains("SUCCEEDED", "lineage: dataset digits v1", "deployed as digits version 1");
    assertThat(kiln("jobs", "list", "--url", url).out()).contains("SUCCEEDED", "digits v1", "4/4", "acc 0.");
    assertThat(kiln("jobs", "splits", "1", "--url", url).out())
        .contains("job 1: dataset digits v1", "train (", "validation (180 rows): ", "test (359 rows): ");
    List<String> test = kiln("jobs", "splits", "1", "--split", "test", "--url", url).out().lines().toList();
    assertThat(test).hasSize(359).allMatch(l -> l.matches("[0-9]+")).doesNotHaveDuplicates();
    // The test rows themselves, as the API's ?as=csv gives them: the header, then one line per test index.
    Run rows = kiln("jobs", "splits", "1", "--split", "test", "--csv", "--url", url);
    assertThat(rows.exit()).as(rows.err()).isZero();
    List<String> lines = rows.out().lines().toList();
    assertThat(lines).hasSize(360);
    assertThat(lines.getFirst()).endsWith(",digit");
    List<String> uploaded;
    try (var in = new GZIPInputStream(Files.newInputStream(csv))) {
      uploaded = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertThat(lines.get(1)).isEqualTo(uploaded.get(Integer.parseInt(test.getFirst()) + 1));
    Path saved = files.resolve("test-rows.csv");
    Run written = kiln("jobs", "splits", "1", "--split", "test", "--csv", "-o", saved.toString(), "--url", url);
    assertThat(written.out()).contains("wrote the test rows of job 1 to " + saved);
    assertThat(Files.readString(saved)).isEqualTo(rows.out());
    // With the engine's prediction for each test row as a last column.
    List<String> predicted =
        kiln("jobs", "splits", "1", "--split", "test", "--csv", "--predictions", "--url", url).out().lines().toList();
    assertThat(predicted.getFirst()).isEqualTo(lines.getFirst() + ",prediction");
    assertThat(predicted.get(1)).matches(Pattern.quote(lines.get(1)) + ",[0-9]");
    Run noSplit = kiln("jobs", "splits", "1", "--csv", "--url", url);
    assertThat(noSplit.exit()).isEqualTo(2);
    assertThat(noSplit.err()).contains("--csv needs --split train, validation or test");
    assertThat(kiln("deploy", "1", "--as", "digits-copy", "--url", url).out())
        .contains("deployed job 1 as digits-copy version 1");
    assertThat(kiln.core().modelReady(Target.of("digits-copy", 1))).isTrue();
  }

  @Test
  void anImageFolderUploadsAsAZipAndTrainsACnn() throws Exception {
    Path bars = SampleData.bars(files.resolve("bars"), 60, 3);
    Path spec =
        Files.writeString(
            files.resolve("cnn.yaml"),
            """
            layers:
              - {type: conv2d, filters: 4, kernel_size: 3, padding: same, activation: relu}
              - {type: max_pooling2d, pool_size: 2}
              - {type: flatten}
              - {type: dense, units: 2, activation: softmax}
            optimizer: {name: adam, learning_rate: 0.01}
            """);
    Run add = kiln("datasets", "add", bars.toString(), "--url", url);
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).contains("dataset bars version 1: 120 rows, image_folder");
    Run train = kiln("train", "--dataset", "bars", "--model", spec.toString(), "--epochs", "8", "--url", url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    assertThat(train.out()).contains("job 1 succeeded");
    // Horizontal against vertical bars is easy for a CNN: a model that did not learn scores about 0.5.
    java.util.regex.Matcher accuracy =
        java.util.regex.Pattern.compile("accuracy (\\d\\.\\d+) +\\(n = (\\d+)\\)").matcher(train.out());
    assertThat(accuracy.find()).as(train.out()).isTrue();
    assertThat(Integer.parseInt(accuracy.group(2))).isPositive();
    assertThat(Double.parseDouble(accuracy.group(1))).as(train.out()).isGreaterThanOrEqualTo(0.9);
    assertThat(train.out()).contains("confusion matrix");
  }

  @Test
  void showListsTheColumnsThatMatterMostFirst() throws Exception {
    // Ten noise-free numeric columns, of which only x3 and x7 decide the label.
    Random random = new Random(3);
    StringBuilder rows = new StringBuilder("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,label\n");
    for (int i = 0; i < 300; i++) {
      double[] x = random.doubles(10, -1, 1).toArray();
      for (double v : x) {
        rows.append(v).append(',');
      }
      rows.append(x[3] + x[7] > 0 ? "yes" : "no").append('\n');
    }
    Path csv = Files.writeString(files.resolve("ten.csv"), rows.toString());
    Path spec = Files.writeString(files.resolve("lr.yaml"), "type: logistic_regression\n");
    assertThat(kiln("datasets", "add", csv.toString(), "--label", "label", "--url", url).exit()).isZero();
    Run train = kiln("train", "--dataset", "ten", "--model", spec.toString(), "--url", url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    Run show = kiln("jobs", "show", "1", "--url", url);
    List<String> lines = show.out().lines().toList();
    int header = lines.indexOf("  COLUMN                   IMPORTANCE        STD");
    assertThat(header).as(show.out()).isPositive();
    assertThat(lines.get(header - 1))
        .matches("permutation importance \\(drop in accuracy over 5 shuffles of [1-9][0-9]* test rows, seed 42\\):");
    assertThat(List.of(lines.get(header + 1).trim().split(" +")[0], lines.get(header + 2).trim().split(" +")[0]))
        .containsExactlyInAnyOrder("x3", "x7");
    assertThat(lines.subList(header + 1, header + 11)).allMatch(l -> l.matches("  x[0-9] +-?[0-9.]+ +[0-9.]+"));
  }

  @Test
  void aSplitColumnOrAValidationDatasetIsChosenFromTheCommandLine() throws Exception {
    StringBuilder rows = new StringBuilder("x,part,label\n");
    for (int i = 0; i < 40; i++) {
      rows.append(i % 2 * 4 + i % 7 * 0.1)
          .append(',')
          .append(i % 4 == 3 ? "test" : i % 4 == 2 ? "validation" : "train");
      rows.append(',').append(i % 2 == 0 ? "no" : "yes").append('\n');
    }
    Path csv = Files.writeString(files.resolve("parted.csv"), rows.toString());
    Path spec = Files.writeString(files.resolve("lr.yaml"), "type: logistic_regression\n");
    assertThat(kiln("datasets", "add", csv.toString(), "--label", "label", "--url", url).exit()).isZero();
    String[] train = {"train", "--dataset", "parted", "--model", spec.toString(), "--split-column", "part"};
    Run conflict = kiln(concat(train, "--test-split", "0.3", "--url", url));
    assertThat(conflict.exit()).isEqualTo(2);
    assertThat(conflict.err()).contains("training.split_column: the column 'part' assigns every row");
    Run ok = kiln(concat(train, "--url", url));
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(kiln("jobs", "splits", "1", "--url", url).out())
        .contains("rows assigned by the column 'part'", "train (20 rows)", "validation (10 rows)", "test (10 rows)");
    Run other = kiln(concat(train, "--validation-dataset", "missing", "--url", url));
    assertThat(other.err()).contains("training.validation_dataset: no dataset missing");
  }

  @Test
  void aTextUploadShowsItsReportAndTrainTakesTheTextOptions() throws Exception {
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 30; i++) {
      csv.append("\"今天天气很好，我们去公园散步").append(i).append("\",weather\n");
      csv.append("\"模型在GPU上训练了").append(i).append("个小时\",ml\n");
    }
    Path file = Files.writeString(files.resolve("zh.csv"), csv);
    Path spec = Files.writeString(files.resolve("ngram.yaml"), "type: ngram_classifier\n");
    Run add = kiln("datasets", "add", file.toString(), "--text", "text", "--label", "label", "--url", url);
    assertThat(add.exit()).as(add.err()).isZero();
    // The weather sentence is 今 天 天 气 很 好 ， 我 们 去 公 园 散 步 and a number: 15 tokens;
    // the GPU one 模 型 在 gpu 上 训 练 了, a number, 个 小 时: 12.
    assertThat(add.out())
        .contains(
            "dataset zh version 1: 60 rows, text_csv",
            "text: 810 tokens (chars, as tokenizer auto picks)",
            "tokens per text: mean 13.5, p50 12, p90 15, p99 15, max 15; max_length 15 (default) cuts 0.0%",
            "texts per class: ml 30, weather 30");
    assertThat(kiln("datasets", "show", "zh", "--url", url).out()).contains("\"class_counts\"", "\"coverage\" : 1.0");

    Run bad = kiln("train", "--dataset", "zh", "--model", spec.toString(), "--ngrams", "4", "--url", url);
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("ngrams: 4 (expected: 1, 2 or 3)");
    assertThat(kiln("train", "--dataset", "zh", "--model", spec.toString(), "--tokenizer", "bytes", "--url", url).err())
        .contains("tokenizer: 'bytes' (expected one of: auto, words, chars)");
    Run train =
        kiln(
            "train",
            "--dataset",
            "zh",
            "--model",
            spec.toString(),
            "--tokenizer",
            "words",
            "--ngrams",
            "1",
            "--min-count",
            "2",
            "--max-vocabulary",
            "50",
            "--url",
            url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    assertThat(train.out()).contains("job 1 succeeded");
    HttpResponse<String> job =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs/1")).build(), BodyHandlers.ofString());
    JsonNode preparation = new ObjectMapper().readTree(job.body()).at("/request/preparation");
    assertThat(preparation.toString())
        .isEqualTo("{\"tokenizer\":\"words\",\"ngrams\":1,\"min_count\":2,\"max_vocabulary\":50}");
  }

  @Test
  void aTextUploadTakesTheDatasetsOwnTextOptions() throws Exception {
    Path file = Files.writeString(files.resolve("zh.csv"), "text,label\n模型 GPU,a\n训练 gpu,b\n");
    String[] add = {"datasets", "add", file.toString(), "--text", "text", "--label", "label", "--url", url};
    Run bad = kiln(concat(add, "--ngrams", "4"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("ngrams: 4 (expected: 1, 2 or 3)");
    Run ok = kiln(concat(add, "--tokenizer", "words", "--no-lowercase", "--max-length", "3"));
    assertThat(ok.exit()).as(ok.err()).isZero();
    // Words, case kept: 模型 GPU 训练 gpu.
    assertThat(ok.out())
        .contains(
            "text: 4 tokens (words, the dataset's tokenizer), 4 distinct", "max_length 3 (the dataset's) cuts 0.0%");
    assertThat(kiln("datasets", "show", "zh", "--url", url).out())
        .contains("\"tokenizer\" : \"words\"", "\"lowercase\" : false", "\"max_length\" : 3");
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }

  @Test
  void errorsAreOneClearLine() throws Exception {
    Run noServer = kiln("jobs", "list", "--url", "http://127.0.0.1:1");
    assertThat(noServer.exit()).isEqualTo(2);
    assertThat(noServer.err()).contains("no Kiln server at http://127.0.0.1:1");
    Run noJob = kiln("jobs", "show", "42", "--url", url);
    assertThat(noJob.exit()).isEqualTo(2);
    assertThat(noJob.err()).contains("HTTP 404: no job 42");
    Run noFile = kiln("train", "--dataset", "d", "--model", files.resolve("missing.yaml").toString(), "--url", url);
    assertThat(noFile.exit()).isEqualTo(2);
    assertThat(noFile.err()).contains("no such file");
  }
}
