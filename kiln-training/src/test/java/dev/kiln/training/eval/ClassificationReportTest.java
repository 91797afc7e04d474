package dev.kiln.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
  private static final List<String> ABC = List.of("a", "b", "c");

  /*
   * actual    a a a a b b b c c c
   * predicted a a b c b b a c c b
   *
   * confusion (rows actual): a [2 1 1], b [1 2 0], c [0 1 2]; accuracy 6/10
   * precision a 2/3, b 2/4, c 2/3; recall a 2/4, b 2/3, c 2/3
   * f1 a = b = 2 (2/3)(1/2) / (7/6) = 4/7, c = 2/3
   * macro f1 = (4/7 + 4/7 + 2/3) / 3 = 38/63; macro precision = (2/3 + 1/2 + 2/3) / 3 = 11/18
   * weighted f1 = (4 * 4/7 + 3 * 4/7 + 3 * 2/3) / 10 = 6/10
   */
  private static final int[] ACTUAL = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  private static final int[] PREDICTED = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};

  @Test
  void threeClassReportMatchesTheHandComputedValues() {
    ClassificationReport r = ClassificationReport.of(ACTUAL, PREDICTED, null, ABC);

    assertThat(r.n()).isEqualTo(10);
    assertThat(r.accuracy()).isEqualTo(0.6);
    assertThat(r.confusion()).containsExactly(List.of(2, 1, 1), List.of(1, 2, 0), List.of(0, 1, 2));
    assertThat(r.classes()).extracting(ClassificationReport.ClassMetrics::support).containsExactly(4, 3, 3);
    assertThat(r.classes().get(1).precision()).isCloseTo(0.5, within(1e-12));
    assertThat(r.classes().get(0).recall()).isCloseTo(0.5, within(1e-12));
    assertThat(r.classes().get(0).f1()).isCloseTo(4.0 / 7, within(1e-12));
    assertThat(r.macro().f1()).isCloseTo(38.0 / 63, within(1e-12));
    assertThat(r.macro().precision()).isCloseTo(11.0 / 18, within(1e-12));
    assertThat(r.weighted().f1()).isCloseTo(0.6, within(1e-12));
    assertThat(r.rocAuc()).isNull();
    assertThat(r.logLoss()).isNull();
  }

  @Test
  void aClassNeverPredictedHasZeroPrecisionInsteadOfNaN() {
    ClassificationReport r = ClassificationReport.of(new int[] {0, 1, 2}, new int[] {0, 1, 1}, null, ABC);

    ClassificationReport.ClassMetrics c = r.classes().get(2);
    assertThat(List.of(c.precision(), c.recall(), c.f1())).containsExactly(0.0, 0.0, 0.0);
    assertThat(r.classes().get(1).precision()).isEqualTo(0.5);
    assertThat(r.macro().recall()).isCloseTo(2.0 / 3, within(1e-12));
  }

  /*
   * positive-class scores: negatives 0.1, 0.4, 0.8; positives 0.4, 0.8, 0.9.
   * pairs won by the positive: 0.4 beats 0.1 and ties 0.4 (1.5); 0.8 beats 0.1, 0.4 and ties 0.8 (2.5);
   * 0.9 beats all three (3). AUC = 7 / 9.
   */
  @Test
  void binaryAucCountsTiesAsHalfAndLogLossUsesTheActualClassProbability() {
    int[] actual = {0, 0, 1, 1, 0, 1};
    float[] p1 = {0.1f, 0.4f, 0.4f, 0.8f, 0.8f, 0.9f};
    float[] probabilities = new float[12];
    for (int i = 0; i < 6; i++) {
      probabilities[2 * i] = 1 - p1[i];
      probabilities[2 * i + 1] = p1[i];
    }
    int[] predicted = {0, 0, 0, 1, 1, 1};

    ClassificationReport r = ClassificationReport.of(actual, predicted, probabilities, List.of("no", "yes"));

    assertThat(r.rocAuc()).isCloseTo(7.0 / 9, within(1e-12));
    double expected =
        -(Math.log(0.9) + Math.log(0.6) + Math.log(0.4) + Math.log(0.8) + Math.log(0.2) + Math.log(0.9)) / 6;
    assertThat(r.logLoss()).isCloseTo(expected, within(1e-6));
  }

  @Test
  void aucIsUndefinedWhenOnlyOneClassIsPresent() {
    ClassificationReport r =
        ClassificationReport.of(
            new int[] {1, 1}, new int[] {1, 0}, new float[] {0.2f, 0.8f, 0.6f, 0.4f}, List.of("no", "yes"));

    assertThat(r.rocAuc()).isNull();
  }

  @Test
  void perfectlySeparatedScoresGiveAucOne() {
    ClassificationReport r =
        ClassificationReport.of(
            new int[] {0, 1, 0, 1},
            new int[] {0, 1, 0, 1},
            new float[] {0.9f, 0.1f, 0.3f, 0.7f, 0.6f, 0.4f, 0.2f, 0.8f},
            List.of("no", "yes"));

    assertThat(r.rocAuc()).isEqualTo(1.0);
  }

  @Test
  void logLossClipsAZeroProbability() {
    ClassificationReport r =
        ClassificationReport.of(new int[] {0}, new int[] {1}, new float[] {0f, 1f}, List.of("no", "yes"));

    assertThat(r.logLoss()).isCloseTo(-Math.log(1e-15), within(1e-9));
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ClassificationReport r =
        ClassificationReport.of(
            new int[] {0, 1, 1},
            new int[] {0, 1, 0},
            new float[] {0.7f, 0.3f, 0.2f, 0.8f, 0.6f, 0.4f},
            List.of("no", "yes"));

    String text = json.writeValueAsString(r);

    assertThat(json.readValue(text, ClassificationReport.class)).isEqualTo(r);
    assertThat(text).contains("\"rocAuc\"", "\"confusion\":[[1,0],[1,1]]");
    assertThat(json.writeValueAsString(ClassificationReport.of(new int[] {0}, new int[] {0}, null, ABC)))
        .doesNotContain("rocAuc", "logLoss");
  }

  @Test
  void rendersAPerClassTableAndTheConfusionMatrix() {
    String text = ClassificationReport.of(ACTUAL, PREDICTED, null, ABC).render();

    assertThat(text)
        .contains(
            "accuracy 0.6000  (n = 10)",
            "macro avg",
            "weighted avg",
            "confusion matrix (rows: actual, columns: predicted)");
    assertThat(text.lines().filter(l -> l.startsWith("a ")).toList())
        .containsExactly("a               0.6667    0.5000    0.5714         4", "a                2     1     1");
  }

  @Test
  void confusionMatrixColumnsKeepLongClassNamesApart() {
    List<String> names = List.of("horizontal", "vertical", "diagonal-left");
    String text = ClassificationReport.of(ACTUAL, PREDICTED, null, names).render();
    List<String> matrix = text.lines().dropWhile(l -> !l.startsWith("confusion matrix")).skip(1).toList();

    assertThat(matrix.get(0).trim().split(" +")).containsExactly(names.toArray(String[]::new));
    String horizontal = matrix.get(1);
    assertThat(horizontal.trim().split(" +")).containsExactly("horizontal", "2", "1", "1");
    // Every count ends where its class name ends in the header.
    for (int c = 0; c < names.size(); c++) {
      int end = matrix.get(0).indexOf(names.get(c)) + names.get(c).length();
      assertThat(horizontal.charAt(end - 1)).as(names.get(c)).isEqualTo(new char[] {'2', '1', '1'}[c]);
    }
  }

  @Test
  void rejectsMismatchedLengthsAndUnknownClasses() {
    assertThatThrownBy(() -> ClassificationReport.of(new int[] {0, 1}, new int[] {0}, null, ABC))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClassificationReport.of(new int[] {3}, new int[] {0}, null, ABC))
        .hasMessage("actual[0]: 3 (expected: 0..2)");
    assertThatThrownBy(() -> ClassificationReport.of(new int[] {0}, new int[] {0}, new float[2], ABC))
        .hasMessage("probabilities: 2 values (expected: 1 x 3)");
  }
}
