package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.DatasetReader;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.ExactFit;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermutationImportanceTest {
  @TempDir Path dir;

  /** Ten numeric columns x0..x9 of noise and a categorical one, where only x3 and x7 drive the label. */
  private static String csv(boolean classification) {
    Random random = new Random(7);
    StringBuilder csv = new StringBuilder();
    for (int j = 0; j < 10; j++) {
      csv.append('x').append(j).append(',');
    }
    csv.append("colour,y\n");
    for (int i = 0; i < 400; i++) {
      double[] x = new double[10];
      for (int j = 0; j < 10; j++) {
        x[j] = random.nextGaussian();
        csv.append(x[j]).append(',');
      }
      csv.append(List.of("red", "green", "blue").get(random.nextInt(3))).append(',');
      double signal = x[3] + x[7];
      csv.append(classification ? (signal > 0 ? "yes" : "no") : Double.toString(2 * x[3] - 3 * x[7] + 1)).append('\n');
    }
    return csv.toString();
  }

  private PermutationImportance importance(String csv, String spec, long seed) throws Exception {
    return importance(csv, spec, seed, PermutationImportance.MAX_ROWS);
  }

  private PermutationImportance importance(String csv, String spec, long seed, int maxRows) throws Exception {
    Path file = Files.writeString(dir.resolve("d.csv"), csv);
    PreparedData data =
        DatasetPreparer.prepare(
            DatasetReader.read(file, DatasetOptions.csv("y")),
            null,
            PrepareOptions.defaults(),
            new DatasetRef("d", 1, "00"));
    ModelSpec s = ModelSpecReader.read(spec);
    TrainingPlan plan = new TrainingPlan(s, TrainingSettings.DEFAULTS, data, dir, TrainingListener.NONE, () -> false);
    try (TrainedModel m = ExactFit.train(plan)) {
      return PermutationImportance.of(data, m.predictor(), PermutationImportance.DEFAULT_REPEATS, seed, maxRows)
          .orElseThrow();
    }
  }

  private static List<String> names(PermutationImportance p) {
    return p.columns().stream().map(PermutationImportance.Column::name).toList();
  }

  @Test
  void theTwoColumnsThatDriveAClassificationRankFirst() throws Exception {
    PermutationImportance p = importance(csv(true), "type: logistic_regression", 42);
    assertThat(p.metric()).isEqualTo("accuracy");
    assertThat(p.repeats()).isEqualTo(5);
    assertThat(p.rows()).isEqualTo(40); // the whole test split: 10% of 400
    assertThat(p.baseline()).isGreaterThan(0.9);
    // One entry per raw column: the one-hot colour block counts once.
    assertThat(p.columns()).hasSize(11);
    assertThat(names(p).subList(0, 2)).containsExactlyInAnyOrder("x3", "x7");
    PermutationImportance.Column third = p.columns().get(2);
    assertThat(p.columns().get(1).importance()).isGreaterThan(0.1).isGreaterThan(third.importance() + 0.05);
    assertThat(p.columns()).allSatisfy(c -> assertThat(c.std()).isGreaterThanOrEqualTo(0));
  }

  @Test
  void theSameSeedGivesTheSameImportancesAndAnotherSeedOthers() throws Exception {
    PermutationImportance a = importance(csv(true), "type: logistic_regression", 42);
    PermutationImportance b = importance(csv(true), "type: logistic_regression", 42);
    PermutationImportance c = importance(csv(true), "type: logistic_regression", 43);
    assertThat(b).isEqualTo(a);
    assertThat(c.columns()).isNotEqualTo(a.columns());
  }

  @Test
  void aRegressionScoresTheDropInR2() throws Exception {
    PermutationImportance p = importance(csv(false), "type: linear_regression", 42);
    assertThat(p.metric()).isEqualTo("r2");
    assertThat(p.baseline()).isGreaterThan(0.99);
    assertThat(names(p).subList(0, 2)).containsExactly("x7", "x3");
    assertThat(p.columns().get(2).importance()).isLessThan(0.05);
  }

  @Test
  void aLargeTestSplitIsShuffledOnItsFirstRowsOnly() throws Exception {
    PermutationImportance p = importance(csv(true), "type: logistic_regression", 42, 25);
    assertThat(p.rows()).isEqualTo(25);
    assertThat(names(p).subList(0, 2)).containsExactlyInAnyOrder("x3", "x7");
  }
}
