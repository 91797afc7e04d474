package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.audit.AuditEvent;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class JdbcAuditLogTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private Database database;
  private JdbcAuditLog audit;

  JdbcAuditLogTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    database = db.open();
    audit = new JdbcAuditLog(database);
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private AuditEvent append(int minute, String actor, String action, String target) {
    return audit.append(new AuditEvent(0, T0.plusSeconds(60L * minute), actor, action, target, "10.0.0.1", "ok", null));
  }

  @Test
  void appendAssignsIncreasingIdsAndKeepsEveryField() {
    AuditEvent first =
        audit.append(
            new AuditEvent(
                99,
                Instant.parse("2025-03-01T10:00:00.123456789Z"),
                "ab12cd",
                "model.push",
                "model:mnist/3",
                "10.0.0.1",
                "denied",
                "{\"reason\":\"scope\"}"));
    AuditEvent second = append(1, "system", "key.create", "key:ef34");

    assertThat(second.id()).isGreaterThan(first.id());
    assertThat(first.at()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
    assertThat(audit.query(null, null, null, null, null, 10)).containsExactly(second, first);
  }

  @Test
  void queryFiltersByActorActionTargetPrefixAndTime() {
    AuditEvent push = append(0, "ab12cd", "model.push", "model:mnist/1");
    AuditEvent alias = append(1, "ab12cd", "model.alias", "model:mnist/1");
    AuditEvent other = append(2, "ef34", "model.push", "model:MNIST-big/1");
    AuditEvent key = append(3, "system", "key.create", "key:ab12cd");

    assertThat(audit.query("ab12cd", null, null, null, null, 100)).containsExactly(alias, push);
    assertThat(audit.query(null, "model.push", null, null, null, 100)).containsExactly(other, push);
    // Prefixes match case-sensitively and literally on both databases.
    assertThat(audit.query(null, null, "model:mnist", null, null, 100)).containsExactly(alias, push);
    assertThat(audit.query(null, null, "model:_nist", null, null, 100)).isEmpty();
    assertThat(audit.query(null, null, null, T0.plusSeconds(60), T0.plusSeconds(180), 100))
        .containsExactly(other, alias);
    assertThat(audit.query(null, null, null, null, null, 2)).containsExactly(key, other);
  }

  @Test
  void pagesFollowEachOtherNewestFirstAndCountEveryMatchingEntry() {
    List<AuditEvent> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      all.add(0, append(i, i % 2 == 0 ? "ab12cd" : "ef34", i % 3 == 0 ? "model.alias" : "model.push", "model:m/" + i));
    }
    Page<AuditEvent> second = audit.query(null, null, null, null, null, new PageRequest(10, 10));
    assertThat(second.items()).containsExactlyElementsOf(all.subList(10, 20));
    assertThat(second.total()).isEqualTo(25);
    assertThat(audit.query(null, null, null, null, null, new PageRequest(10, 20)).items())
        .containsExactlyElementsOf(all.subList(20, 25));
    Page<AuditEvent> past = audit.query(null, null, null, null, null, new PageRequest(10, 30));
    assertThat(past.items()).isEmpty();
    assertThat(past.total()).isEqualTo(25);

    Page<AuditEvent> aliases = audit.query("ab12cd", "model.alias", null, null, null, new PageRequest(2, 1));
    List<AuditEvent> expected =
        all.stream().filter(e -> e.actor().equals("ab12cd") && e.action().equals("model.alias")).toList();
    assertThat(aliases.total()).isEqualTo(expected.size()).isEqualTo(5);
    assertThat(aliases.items()).containsExactlyElementsOf(expected.subList(1, 3));
  }

  /**
   * The plan for the console's audit pages, on each database: newest first through the primary key or the action's and
   * actor's indexes (V1, V8), never a sort of every matching row. The statement is the one {@link JdbcAuditLog} runs.
   */
  @Test
  void pagesTheLogThroughItsIndexesWithoutSorting() {
    String select = "SELECT id, at, actor, action, target, source, outcome, detail FROM audit_log";
    String page = " ORDER BY id DESC LIMIT 50 OFFSET 0";
    assertThat(QueryPlan.sorts(plan(select + page))).as(plan(select + page)).isFalse();
    String byAction = plan(select + " WHERE action = 'model.alias'" + page);
    assertThat(byAction).contains("audit_by_action");
    assertThat(QueryPlan.sorts(byAction)).as(byAction).isFalse();
    String byActor = plan(select + " WHERE actor = 'ab12cd'" + page);
    assertThat(byActor).contains("audit_by_actor");
    assertThat(QueryPlan.sorts(byActor)).as(byActor).isFalse();
    assertThat(plan("SELECT count(*) FROM audit_log WHERE action = 'model.alias'")).contains("audit_by_action");
  }

  private String plan(String sql) {
    return QueryPlan.of(database, sql);
  }

  @Test
  void limitOutsideOneToTenThousandIsRejected() {
    assertThatThrownBy(() -> audit.query(null, null, null, null, null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> audit.query(null, null, null, null, null, 10_001))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDatabaseItselfRefusesToUpdateOrDeleteAuditRows() {
    AuditEvent event = append(0, "ab12cd", "model.push", "model:mnist/1");

    assertThatThrownBy(() -> execute("UPDATE audit_log SET outcome = 'denied'"))
        .isInstanceOf(StoreException.class)
        .rootCause()
        .hasMessageContaining("append-only");
    assertThatThrownBy(() -> execute("DELETE FROM audit_log"))
        .isInstanceOf(StoreException.class)
        .rootCause()
        .hasMessageContaining("append-only");
    assertThat(audit.query(null, null, null, null, null, 10)).containsExactly(event);
  }

  private void execute(String sql) {
    database.transaction(c -> {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate(sql);
      }
    });
  }

  @Test
  void entriesOfTwoReplicasShareOneLog() {
    AuditEvent mine = append(0, "ab12cd", "model.push", "model:mnist/1");
    AuditEvent theirs =
        new JdbcAuditLog(db.open())
            .append(new AuditEvent(0, T0.plusSeconds(1), "system", "key.create", "key:x", null, "ok", null));

    assertThat(audit.query(null, null, null, null, null, 10)).containsExactly(theirs, mine);
  }
}
