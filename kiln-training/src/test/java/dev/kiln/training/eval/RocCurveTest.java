package dev.kiln.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RocCurveTest {
  /* The case of ClassificationReportTest: negatives 0.1, 0.4, 0.8; positives 0.4, 0.8, 0.9; AUC 7/9. */
  private static final int[] ACTUAL = {0, 0, 1, 1, 0, 1};
  private static final float[] P1 = {0.1f, 0.4f, 0.4f, 0.8f, 0.8f, 0.9f};

  @Test
  void pointsFollowEachDistinctScoreAndTheTrapezoidAreaIsTheAuc() {
    ClassificationReport r = ClassificationReport.of(ACTUAL, new int[6], twoColumns(P1), List.of("no", "yes"));

    // Thresholds above all (nothing), 0.9, 0.8 (a tie across classes: one diagonal step), 0.4 (another), 0.1.
    assertThat(r.roc()).extracting(RocPoint::fpr).containsExactly(0.0, 0.0, 1.0 / 3, 2.0 / 3, 1.0);
    assertThat(r.roc()).extracting(RocPoint::tpr).containsExactly(0.0, 1.0 / 3, 2.0 / 3, 1.0, 1.0);
    assertThat(r.roc())
        .extracting(RocPoint::threshold)
        .containsExactly(0.9f + 1.0, (double) 0.9f, (double) 0.8f, (double) 0.4f, (double) 0.1f);
    assertThat(RocCurve.area(r.roc())).isCloseTo(r.rocAuc(), within(1e-9));
    assertMonotone(r.roc());
  }

  @Test
  void manyDistinctScoresAreCutToTwoHundredPointsThatKeepTheShapeAndTheArea() {
    Random random = new Random(14);
    int n = 20_000;
    int[] actual = new int[n];
    float[] p1 = new float[n];
    for (int i = 0; i < n; i++) {
      actual[i] = random.nextBoolean() ? 1 : 0;
      // Overlapping classes: an AUC near 0.76, a curve with real bends.
      double logit = (actual[i] == 1 ? 0.7 : -0.7) + random.nextGaussian();
      p1[i] = (float) (1 / (1 + Math.exp(-logit)));
    }
    ClassificationReport r = ClassificationReport.of(actual, new int[n], twoColumns(p1), List.of("no", "yes"));
    boolean[] positive = new boolean[n];
    double[] score = new double[n];
    for (int i = 0; i < n; i++) {
      positive[i] = actual[i] == 1;
      score[i] = p1[i];
    }
    List<RocPoint> full = RocCurve.of(positive, score, Integer.MAX_VALUE);

    assertThat(full.size()).isGreaterThan(5_000); // runs of one class are straight lines: already dropped
    assertThat(RocCurve.area(full)).isCloseTo(r.rocAuc(), within(1e-9));
    assertThat(r.roc()).hasSizeLessThanOrEqualTo(RocCurve.MAX_POINTS).hasSizeGreaterThan(100);
    assertThat(r.roc().getFirst()).isEqualTo(full.getFirst());
    assertThat(r.roc().getLast()).isEqualTo(full.getLast());
    assertThat(RocCurve.area(r.roc())).isCloseTo(r.rocAuc(), within(1e-3));
    assertMonotone(r.roc());
    // The shape: every dropped point lies near the kept polyline.
    for (RocPoint p : full) {
      assertThat(distance(r.roc(), p)).as("%s", p).isLessThan(0.01);
    }
  }

  @Test
  void collinearPointsGoEvenUnderTheLimitAndTheAreaStaysExact() {
    // Positives all above negatives: the curve is (0,0) -> (0,1) -> (1,1), whatever the row count.
    int n = 1_000;
    int[] actual = new int[n];
    float[] p1 = new float[n];
    for (int i = 0; i < n; i++) {
      actual[i] = i % 2;
      p1[i] = (actual[i] == 1 ? 0.5f : 0f) + i / (4f * n);
    }
    ClassificationReport r = ClassificationReport.of(actual, new int[n], twoColumns(p1), List.of("no", "yes"));

    assertThat(r.roc()).extracting(RocPoint::fpr).containsExactly(0.0, 0.0, 1.0);
    assertThat(r.roc()).extracting(RocPoint::tpr).containsExactly(0.0, 1.0, 1.0);
    assertThat(RocCurve.area(r.roc())).isEqualTo(1.0);
  }

  @Test
  void noCurveWithoutProbabilitiesOrWithOneClassAndOldReportsStillRead() throws Exception {
    assertThat(ClassificationReport.of(new int[] {0, 1}, new int[] {0, 1}, null, List.of("no", "yes")).roc()).isNull();
    assertThat(
            ClassificationReport.of(
                    new int[] {1, 1}, new int[] {1, 1}, twoColumns(new float[] {0.2f, 0.6f}), List.of("no", "yes"))
                .roc())
        .isNull();
    ObjectMapper json = new ObjectMapper();
    ClassificationReport r = ClassificationReport.of(ACTUAL, new int[6], twoColumns(P1), List.of("no", "yes"));
    String text = json.writeValueAsString(r);
    assertThat(text).contains("\"roc\":[{\"fpr\":0.0,\"tpr\":0.0,\"threshold\":1.89");
    assertThat(json.readValue(text, ClassificationReport.class)).isEqualTo(r);
    String stored = text.replaceAll(",\"roc\":\\[[^\\]]*\\]", "");
    assertThat(stored).doesNotContain("roc\"");
    assertThat(json.readValue(stored, ClassificationReport.class).roc()).isNull();
  }

  private static void assertMonotone(List<RocPoint> points) {
    for (int i = 1; i < points.size(); i++) {
      RocPoint a = points.get(i - 1);
      RocPoint b = points.get(i);
      assertThat(b.fpr()).isGreaterThanOrEqualTo(a.fpr());
      assertThat(b.tpr()).isGreaterThanOrEqualTo(a.tpr());
      assertThat(b.threshold()).isLessThan(a.threshold());
    }
  }

  /** Distance from {@code p} to the nearest segment of the polyline. */
  private static double distance(List<RocPoint> points, RocPoint p) {
    double best = Double.MAX_VALUE;
    for (int i = 1; i < points.size(); i++) {
      RocPoint a = points.get(i - 1);
      RocPoint b = points.get(i);
      double dx = b.fpr() - a.fpr();
      double dy = b.tpr() - a.tpr();
      double length = dx * dx + dy * dy;
      double t = length == 0 ? 0 : ((p.fpr() - a.fpr()) * dx + (p.tpr() - a.tpr()) * dy) / length;
      t = Math.max(0, Math.min(1, t));
      best = Math.min(best, Math.hypot(p.fpr() - a.fpr() - t * dx, p.tpr() - a.tpr() - t * dy));
    }
    return best;
  }

  private static float[] twoColumns(float[] p1) {
    float[] out = new float[p1.length * 2];
    for (int i = 0; i < p1.length; i++) {
      out[2 * i] = 1 - p1[i];
      out[2 * i + 1] = p1[i];
    }
    return out;
  }
}
