package dev.kiln.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RegressionReportTest {
  private static final float[] ACTUAL = {1, 2, 3, 4};

  @Test
  void perfectPredictionsScoreROfOneAndNoError() {
    RegressionReport r = RegressionReport.of(ACTUAL, ACTUAL.clone());

    assertThat(r).isEqualTo(new RegressionReport(4, 0, 0, 0, 1));
  }

  @Test
  void predictingTheMeanScoresRSquaredZero() {
    // errors 1.5, 0.5, 0.5, 1.5: mse (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, mae 1
    RegressionReport r = RegressionReport.of(ACTUAL, new float[] {2.5f, 2.5f, 2.5f, 2.5f});

    assertThat(r.r2()).isEqualTo(0.0);
    assertThat(r.mse()).isEqualTo(1.25);
    assertThat(r.mae()).isEqualTo(1.0);
    assertThat(r.rmse()).isCloseTo(Math.sqrt(1.25), within(1e-12));
  }

  @Test
  void predictionsWorseThanTheMeanScoreNegativeRSquared() {
    // reversed: SS_res = 9 + 1 + 1 + 9 = 20, SS_tot = 5, R² = 1 - 20/5 = -3
    RegressionReport r = RegressionReport.of(ACTUAL, new float[] {4, 3, 2, 1});

    assertThat(r.r2()).isEqualTo(-3.0);
    assertThat(r.mae()).isEqualTo(2.0);
  }

  @Test
  void constantActualValuesGiveOneWhenExactAndZeroOtherwise() {
    float[] constant = {2, 2, 2};

    assertThat(RegressionReport.of(constant, new float[] {2, 2, 2}).r2()).isEqualTo(1.0);
    assertThat(RegressionReport.of(constant, new float[] {2, 2, 3}).r2()).isEqualTo(0.0);
  }

  @Test
  void roundTripsThroughJsonAndRendersOneLine() throws Exception {
    ObjectMapper json = new ObjectMapper();
    RegressionReport r = RegressionReport.of(ACTUAL, new float[] {1.5f, 2, 3, 3.5f});

    assertThat(json.readValue(json.writeValueAsString(r), RegressionReport.class)).isEqualTo(r);
    assertThat(r.render()).isEqualTo("n 4  mse 0.1250  rmse 0.3536  mae 0.2500  r2 0.9000\n");
  }
}
