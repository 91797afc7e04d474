package dev.kiln.training.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.job.JobJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpochMetricsTest {
  @Test
  void listedMetricsAreWrittenBesideTheOthersAsKerasHistoriesNameThem() throws Exception {
    EpochMetrics e = new EpochMetrics(2, 5, 0.5, Double.NaN, 0.6, Double.NaN, 1.5, Map.of("mae", 0.25));
    String json = JobJson.MAPPER.writeValueAsString(e);
    assertThat(json).contains("\"val_loss\":0.6").contains("\"mae\":0.25").doesNotContain("metrics");
    EpochMetrics read = JobJson.MAPPER.readValue(json, EpochMetrics.class);
    assertThat(read.get("mae")).isEqualTo(0.25);
    assertThat(read.valLoss()).isEqualTo(0.6);
  }

  @Test
  void anEpochStoredBeforeListedMetricsReadsWithNone() throws Exception {
    String old =
        "{\"epoch\":1,\"epochs\":3,\"loss\":0.9,\"accuracy\":0.5,\"val_loss\":1.0,\"val_accuracy\":0.4,\"seconds\":0.2}";
    EpochMetrics read = JobJson.MAPPER.readValue(old, EpochMetrics.class);
    assertThat(read.metrics()).isEmpty();
    assertThat(read.get("val_accuracy")).isEqualTo(0.4);
  }
}
