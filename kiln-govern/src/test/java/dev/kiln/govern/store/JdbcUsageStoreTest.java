package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.usage.UsageRow;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class JdbcUsageStoreTest {
  private static final LocalDate MARCH_1 = LocalDate.parse("2025-03-01");
  private static final LocalDate MARCH_2 = MARCH_1.plusDays(1);
  private static final LocalDate MARCH_3 = MARCH_1.plusDays(2);

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private JdbcUsageStore usage;

  JdbcUsageStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    usage = new JdbcUsageStore(db.open());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private static UsageRow row(String key, String model, LocalDate day, long requests) {
    return new UsageRow(key, model, day, requests, requests / 10, requests * 2, requests * 100, requests * 1000);
  }

  @Test
  void deltasForTheSameKeyModelAndDayAddUpInOneRow() {
    usage.add(List.of(row("a", "mnist", MARCH_1, 10), row("a", "mnist", MARCH_1, 20)));
    new JdbcUsageStore(db.open()).add(List.of(row("a", "mnist", MARCH_1, 30)));

    assertThat(usage.query(null, null, null, null)).containsExactly(row("a", "mnist", MARCH_1, 60));
  }

  @Test
  void queryFiltersByKeyModelAndInclusiveDaysInDayKeyModelOrder() {
    usage.add(
        List.of(
            row("b", "mnist", MARCH_1, 1),
            row("a", "mnist", MARCH_1, 2),
            row("a", "digits", MARCH_1, 3),
            row("a", "mnist", MARCH_2, 4),
            row("a", "mnist", MARCH_3, 5)));

    assertThat(usage.query(null, null, null, null))
        .containsExactly(
            row("a", "digits", MARCH_1, 3),
            row("a", "mnist", MARCH_1, 2),
            row("b", "mnist", MARCH_1, 1),
            row("a", "mnist", MARCH_2, 4),
            row("a", "mnist", MARCH_3, 5));
    assertThat(usage.query("a", "mnist", MARCH_2, MARCH_3))
        .containsExactly(row("a", "mnist", MARCH_2, 4), row("a", "mnist", MARCH_3, 5));
    assertThat(usage.query(null, "mnist", null, MARCH_1))
        .containsExactly(row("a", "mnist", MARCH_1, 2), row("b", "mnist", MARCH_1, 1));
    assertThat(usage.query("c", null, null, null)).isEmpty();
  }

  @Test
  void addingNothingChangesNothing() {
    usage.add(List.of());

    assertThat(usage.query(null, null, null, null)).isEmpty();
  }
}
