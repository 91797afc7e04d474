package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.auth.ApiKey;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class JdbcKeyStoreTest {
  private static final Instant CREATED = Instant.parse("2025-03-01T10:15:30.123Z");

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private JdbcKeyStore keys;

  JdbcKeyStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    keys = new JdbcKeyStore(db.open());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  static ApiKey key(String id, Instant created) {
    return new ApiKey(
        id,
        "key " + id,
        "hash-" + id,
        List.of(Scope.parse("invoke:digits-*"), Scope.parse("train"), Scope.parse("admin")),
        new Limits(60L, null, 1_000_000L),
        Map.of("mnist", new Limits(null, 500L, null)),
        created,
        "system",
        Instant.parse("2026-01-01T00:00:00Z"),
        null);
  }

  @Test
  void insertedKeyIsFoundWithEveryFieldIntact() {
    ApiKey key = key("ab12cd", CREATED);
    keys.insert(key);

    assertThat(keys.find("ab12cd")).contains(key);
    assertThat(keys.find("nope")).isEmpty();
  }

  @Test
  void unlimitedKeyReadsBackUnlimited() {
    ApiKey key =
        new ApiKey(
            "free",
            "free",
            "h",
            List.of(Scope.parse("invoke:*")),
            Limits.NONE,
            Map.of(),
            CREATED,
            "system",
            null,
            null);
    keys.insert(key);

    assertThat(keys.find("free")).contains(key);
    assertThat(keys.find("free").orElseThrow().limits().unlimited()).isTrue();
  }

  @Test
  void insertingAnExistingIdFails() {
    keys.insert(key("ab12cd", CREATED));

    assertThatThrownBy(() -> keys.insert(key("ab12cd", CREATED.plusSeconds(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ab12cd");
    assertThat(keys.find("ab12cd").orElseThrow().created()).isEqualTo(CREATED);
  }

  @Test
  void listReturnsEveryKeyOldestFirst() {
    keys.insert(key("second", CREATED.plusSeconds(60)));
    keys.insert(key("first", CREATED));

    assertThat(keys.list()).extracting(ApiKey::id).containsExactly("first", "second");
  }

  @Test
  void revokeMarksTheKeyOnceAndOnlyIfKnown() {
    keys.insert(key("ab12cd", CREATED));
    Instant at = CREATED.plusSeconds(3600);

    assertThat(keys.revoke("ab12cd", at)).isTrue();
    assertThat(keys.revoke("ab12cd", at.plusSeconds(1))).isFalse();
    assertThat(keys.revoke("unknown", at)).isFalse();
    ApiKey revoked = keys.find("ab12cd").orElseThrow();
    assertThat(revoked.revoked()).isEqualTo(at);
    assertThat(revoked.usableAt(at.plusSeconds(1))).isFalse();
  }

  @Test
  void replaceSecretRotatesALiveKeyButNotARevokedOne() {
    keys.insert(key("live", CREATED));
    keys.insert(key("dead", CREATED));
    keys.revoke("dead", CREATED.plusSeconds(1));

    assertThat(keys.replaceSecret("live", "new-hash", CREATED.plusSeconds(2))).isTrue();
    assertThat(keys.replaceSecret("dead", "new-hash", CREATED.plusSeconds(2))).isFalse();
    assertThat(keys.replaceSecret("unknown", "new-hash", CREATED.plusSeconds(2))).isFalse();
    assertThat(keys.find("live").orElseThrow().secretHash()).isEqualTo("new-hash");
    assertThat(keys.find("dead").orElseThrow().secretHash()).isEqualTo("hash-dead");
  }
}
