package dev.kiln.govern.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageRecorderTest {
  @Test
  void countersAddUpPerKeyModelAndOutcome() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    UsageStore none =
        new UsageStore() {
          @Override
          public void add(Collection<UsageRow> deltas) {}

          @Override
          public List<UsageRow> query(String keyId, String model, LocalDate from, LocalDate to) {
            return List.of();
          }
        };
    UsageRecorder usage = new UsageRecorder(none, meters, Clock.systemUTC());
    usage.record("k1", "mlp", true, 2, 0, 1000);
    usage.record("k1", "mlp", true, 3, 0, 1000);
    usage.record("k1", "mlp", false, 0, 0, 1000);
    usage.record("k2", null, true, 0, 0, 1000);
    assertThat(
            meters
                .get("kiln_key_requests_total")
                .tags("key", "k1", "model", "mlp", "outcome", "success")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            meters
                .get("kiln_key_requests_total")
                .tags("key", "k1", "model", "mlp", "outcome", "failure")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(meters.get("kiln_key_requests_total").tags("key", "k2", "model", "").counter().count()).isEqualTo(1);
    assertThat(meters.get("kiln_key_rows_total").tags("key", "k1", "model", "mlp").counter().count()).isEqualTo(5);
  }
}
