package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real server with a classifier {@code pm} trained on it (columns {@code x1, x2}, classes {@code neg, pos}) and
 * {@code data.csv}, rows to score: {@code name,x2,note,x1}, one id quoted.
 */
abstract class ClassifierServerCli extends TrainingServerCli {
  static final ObjectMapper JSON = new ObjectMapper();

  Path data;

  @BeforeEach
  void trainAClassifier() throws Exception {
    StringBuilder s = new StringBuilder("x1,x2,label\n");
    Random r = new Random(5);
    for (int i = 0; i < 200; i++) {
      double a = r.nextDouble() * 2 - 1;
      double b = r.nextDouble() * 2 - 1;
      s.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", a, b, a + b > 0 ? "pos" : "neg"));
    }
    Path csv = Files.writeString(files.resolve("train.csv"), s);
    Path spec =
        Files.writeString(
            files.resolve("cls.yaml"),
            "layers:\n  - {type: dense, units: 8, activation: relu}\n  - {type: dense, units: 2, activation: softmax}\n");
    assertThat(kiln("datasets", "add", csv.toString(), "--name", "pm", "--label", "label", "--url", url).exit())
        .isZero();
    Run train =
        kiln("train", "--dataset", "pm", "--model", spec.toString(), "--epochs", "2", "--deploy", "pm", "--url", url);
    assertThat(train.exit()).as(train.out() + train.err()).isZero();
    data = Files.writeString(files.resolve("data.csv"), rows(1000, r));
  }

  /** Rows to score: an id and an extra column the model does not take, in another order, one id quoted. */
  static String rows(int count, Random r) {
    StringBuilder rows = new StringBuilder("name,x2,note,x1\n");
    for (int i = 0; i < count; i++) {
      double a = r.nextDouble() * 2 - 1;
      double b = r.nextDouble() * 2 - 1;
      rows.append(String.format(Locale.ROOT, "%s,%.4f,n%d,%.4f%n", i == 7 ? "\"r,7\"" : "r" + i, b, i, a));
    }
    return rows.toString();
  }

  Run predict(Path out, String... more) {
    return predict(data, out, more);
  }

  Run predict(Path in, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("predict", "--model", "pm", "--input", in.toString(), "--output", out.toString(), "--url", url));
    args.addAll(List.of(more));
    return kiln(args.toArray(String[]::new));
  }
}
