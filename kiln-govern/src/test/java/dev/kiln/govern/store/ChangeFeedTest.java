package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.registry.VersionRecord;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two openings of one database, as two replicas: what one changes reaches the other's feed. Run on each database by
 * {@link SqliteStoresTest} and {@link PostgresqlStoresTest}.
 */
abstract class ChangeFeedTest {
  private static final Instant AT = Instant.parse("2025-03-01T10:15:30Z");

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private Database a;
  private Database b;
  private ChangeFeed feed;
  private final BlockingQueue<Change> seen = new LinkedBlockingQueue<>();

  ChangeFeedTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    a = db.open();
    b = db.open();
  }

  @AfterEach
  void close() {
    if (feed != null) {
      feed.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private void follow(Database on, Duration interval) {
    feed = ChangeFeed.of(on, interval).listen(seen::add).start();
  }

  private Change next(Duration within) throws InterruptedException {
    Change c = seen.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(c).as("a change within " + within).isNotNull();
    return c;
  }

  @Test
  void aKeyRevokedThroughOneReplicaReachesTheOthersFeedAsNotLocal() throws InterruptedException {
    JdbcKeyStore keys = new JdbcKeyStore(a);
    keys.insert(JdbcKeyStoreTest.key("k1", AT)); // before the feed: already read at start, not delivered
    follow(b, Duration.ofMillis(100));
    assertThat(keys.revoke("k1", AT)).isTrue();
    assertThat(keys.revoke("k1", AT)).isFalse(); // no change, no row

    Change c = next(Duration.ofSeconds(1));
    assertThat(c.kind()).isEqualTo(Change.Kind.KEY);
    assertThat(c.subject()).isEqualTo("k1");
    assertThat(c.local()).isFalse();
    assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void registryChangesArriveInCommitOrderAndTheWritersOwnAreMarkedLocal() throws InterruptedException {
    follow(a, Duration.ofMillis(100));
    JdbcRegistryStore registry = new JdbcRegistryStore(a);
    registry.ensureModel("iris", "system", AT);
    VersionRecord v = registry.reserveVersion("iris", "onnx", "uploaded", "system", AT);
    registry.publish("iris", v.version(), "artifact", "sha", 1, "{}");
    registry.setAlias("iris", "prod", v.version());
    registry.deleteVersion("iris", v.version());

    List<Change> changes =
        List.of(next(Duration.ofSeconds(1)), next(Duration.ofSeconds(1)), next(Duration.ofSeconds(1)));
    assertThat(changes)
        .extracting(Change::kind)
        .containsExactly(Change.Kind.MODEL, Change.Kind.ALIAS, Change.Kind.MODEL);
    assertThat(changes).allMatch(c -> c.subject().equals("iris") && c.local());
    assertThat(changes.get(0).seq()).isLessThan(changes.get(1).seq()).isLessThan(changes.get(2).seq());
  }

  @Test
  void aChangeArrivesWellWithinTheIntervalOnPostgresqlByNotification() throws InterruptedException {
    // On SQLite the feed only polls: a short interval is what makes it fast there.
    Duration interval = backend == Backend.POSTGRESQL ? Duration.ofSeconds(30) : Duration.ofMillis(100);
    follow(b, interval);
    Thread.sleep(300); // the feed is listening
    new JdbcKeyStore(a).insert(JdbcKeyStoreTest.key("k2", AT));
    assertThat(next(Duration.ofSeconds(1)).subject()).isEqualTo("k2");
  }

  /**
   * PostgreSQL only (SQLite has no notification connection), so not a test here but run by {@code
   * PostgresqlStoresTest.Feed}: SQLite shows no skipped test for it.
   */
  void whenTheNotificationConnectionDropsPollingGoesOnAndListeningComesBack() throws Exception {
    follow(b, Duration.ofMillis(200));
    Thread.sleep(300); // the feed is listening
    assertThat(listeners("count(pg_terminate_backend(pid))")).isPositive();

    new JdbcKeyStore(a).insert(JdbcKeyStoreTest.key("k3", AT));
    assertThat(next(Duration.ofSeconds(1)).subject()).isEqualTo("k3"); // by polling, one interval later at most
    Thread.sleep(600);
    assertThat(listeners("count(*)")).as("listening again").isPositive();
    new JdbcKeyStore(a).insert(JdbcKeyStoreTest.key("k4", AT));
    assertThat(next(Duration.ofSeconds(1)).subject()).isEqualTo("k4");
  }

  /** {@code aggregate} over the backends whose last statement was a LISTEN, as seen from replica A. */
  private int listeners(String aggregate) {
    return a.read(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT " + aggregate + " FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND state = 'idle'")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }
}
