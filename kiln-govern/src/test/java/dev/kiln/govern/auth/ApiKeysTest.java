package dev.kiln.govern.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.store.GovernanceStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;
  GovernanceStores stores;
  ApiKeys keys;

  @BeforeEach
  void open() {
    stores = GovernanceStores.sqlite(dir);
    keys = new ApiKeys(stores.keys(), Clock.systemUTC(), Duration.ofMinutes(5));
  }

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aTokenIsShownOnceAndOnlyItsHashIsStored() {
    ApiKeys.Created c = keys.create("shop", List.of(Scope.parse("invoke:mnist")), null, Map.of(), null, "admin");
    assertThat(c.token()).matches("kiln_[a-z2-7]{12}_[A-Za-z0-9_-]{43}");
    ApiKey stored = stores.keys().find(c.key().id()).orElseThrow();
    assertThat(stored.secretHash()).hasSize(64).isNotEqualTo(c.token().substring(18));
    assertThat(stored.toString()).doesNotContain(c.token().substring(18));
    assertThat(keys.authenticate(c.token()).id()).isEqualTo(c.key().id());
  }

  @Test
  void revocationAndRotationApplyAtOnceOnThisReplicaDespiteTheCache() {
    ApiKeys.Created c = keys.create("k", List.of(Scope.parse("admin")), null, Map.of(), null, "admin");
    keys.authenticate(c.token()); // cached now
    ApiKeys.Created rotated = keys.rotate(c.key().id());
    assertThatThrownBy(() -> keys.authenticate(c.token())).hasMessageContaining("unknown API key");
    assertThat(keys.authenticate(rotated.token()).id()).isEqualTo(c.key().id());
    keys.revoke(c.key().id());
    assertThatThrownBy(() -> keys.authenticate(rotated.token())).hasMessageContaining("revoked");
    assertThatThrownBy(() -> keys.revoke(c.key().id()))
        .isInstanceOf(KilnException.class)
        .extracting(e -> ((KilnException) e).kind())
        .isEqualTo(ErrorKind.CONFLICT);
    assertThatThrownBy(() -> keys.rotate(c.key().id())).hasMessageContaining("revoked");
  }

  @Test
  void malformedForgedAndMissingTokensAreUnauthenticated() {
    keys.create("k", List.of(Scope.parse("admin")), null, Map.of(), null, "admin");
    for (String bad :
        new String[] {
          null,
          "",
          "Bearer x",
          "kiln_short_x",
          "kiln_aaaaaaaaaaaa_" + "A".repeat(43),
          "kiln_" + "a".repeat(12) + "_" + "A".repeat(500)
        }) {
      assertThatThrownBy(() -> keys.authenticate(bad))
          .as(String.valueOf(bad))
          .isInstanceOf(KilnException.class)
          .extracting(e -> ((KilnException) e).kind())
          .isEqualTo(ErrorKind.UNAUTHENTICATED);
    }
  }

  @Test
  void scopesMatchModelGlobsAndAdminAllowsEverything() {
    Scope s = Scope.parse("invoke:digits-*");
    assertThat(s.allows(Action.INVOKE, "digits-v2")).isTrue();
    assertThat(s.allows(Action.INVOKE, "digits")).isFalse();
    assertThat(s.allows(Action.MANAGE, "digits-v2")).isFalse();
    assertThat(s.allows(Action.INVOKE, null)).isFalse();
    assertThat(Scope.parse("invoke").allows(Action.INVOKE, null)).isTrue();
    assertThat(Scope.parse("admin").allows(Action.MANAGE, "x")).isTrue();
    assertThat(Scope.matches("a*b*c", "aXXbYc")).isTrue();
    assertThat(Scope.matches("a*b*c", "aXXbY")).isFalse();
    assertThatThrownBy(() -> Scope.parse("invoke:../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scope.parse("root")).hasMessageContaining("unknown action");
    assertThat(Scope.parse("manage:m").toString()).isEqualTo("manage:m");
  }
}
