package dev.kiln.govern.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.core.access.Caller;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.govern.usage.UsageRecorder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate's refusals are KilnExceptions of the refusal kinds, a rate limit's with its retry-after. */
class GovernedGateTest {
  @TempDir Path dir;
  GovernanceStores stores;
  ApiKeys keys;
  GovernedGate gate;

  @BeforeEach
  void open() {
    stores = GovernanceStores.sqlite(dir);
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:20Z"), ZoneOffset.UTC);
    keys = new ApiKeys(stores.keys(), clock, Duration.ofMinutes(5));
    gate =
        new GovernedGate(
            keys,
            new Sessions(stores.sessions(), keys, clock, Duration.ofHours(12), Duration.ofMinutes(5)),
            new RateLimiter(stores.counters(), clock),
            new UsageRecorder(stores.usage(), new SimpleMeterRegistry(), clock));
  }

  @AfterEach
  void close() {
    stores.close();
  }

  private KilnException refusal(String token, Permission p, String model) {
    return catchThrowableOfType(KilnException.class, () -> gate.check(new Caller(token, null, "test"), p, model));
  }

  @Test
  void aMissingOrUnknownKeyIsUnauthenticated() {
    assertThat(refusal(null, Permission.INVOKE, "m").kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
    assertThat(refusal("kiln_aaaaaaaaaaaa_" + "A".repeat(43), Permission.AUTHENTICATED, null).kind())
        .isEqualTo(ErrorKind.UNAUTHENTICATED);
  }

  @Test
  void aKeyWithoutTheScopeIsDeniedWithoutRetryAfter() {
    ApiKeys.Created c = keys.create("k", List.of(Scope.parse("invoke:a")), null, Map.of(), null, "test");
    KilnException denied = refusal(c.token(), Permission.INVOKE, "b");
    assertThat(denied.kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
    assertThat(denied.getMessage()).isEqualTo("key " + c.key().id() + " may not invoke model 'b'");
    assertThat(denied.retryAfter()).isEmpty();
  }

  @Test
  void readingADatasetNeedsTrainOrADatasetScopeOnItsName() {
    ApiKeys.Created trainer = keys.create("t", List.of(Scope.parse("train")), null, Map.of(), null, "test");
    ApiKeys.Created reader = keys.create("r", List.of(Scope.parse("dataset:sales-*")), null, Map.of(), null, "test");
    ApiKeys.Created caller = keys.create("c", List.of(Scope.parse("invoke:*")), null, Map.of(), null, "test");
    // A train key passes the gate for any name (its handler checks ownership) but holds no dataset scope.
    Grants t = gate.check(new Caller(trainer.token(), null, "test"), Permission.DATASET, "sales-eu");
    assertThat(t.may(Permission.DATASET, "sales-eu")).isFalse();
    Grants r = gate.check(new Caller(reader.token(), null, "test"), Permission.DATASET, "sales-eu");
    assertThat(r.may(Permission.DATASET, "sales-eu")).isTrue();
    assertThat(r.may(Permission.DATASET, "hr")).isFalse();
    assertThat(r.may(Permission.TRAIN, null)).isFalse();
    KilnException denied = refusal(reader.token(), Permission.DATASET, "hr");
    assertThat(denied.kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
    assertThat(denied.getMessage()).isEqualTo("key " + reader.key().id() + " may not read dataset 'hr'");
    assertThat(refusal(caller.token(), Permission.DATASET, "sales-eu").kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
    assertThat(refusal(reader.token(), Permission.TRAIN, null).kind()).isEqualTo(ErrorKind.PERMISSION_DENIED);
  }

  @Test
  void aKeyOverItsLimitIsRateLimitedUntilTheNextMinute() {
    ApiKeys.Created c =
        keys.create("k", List.of(Scope.parse("invoke:*")), new Limits(1L, null, null), Map.of(), null, "test");
    Grants allowed = gate.check(new Caller(c.token(), null, "test"), Permission.INVOKE, "m");
    assertThat(allowed.principal()).isEqualTo(c.key().id());
    KilnException limited = refusal(c.token(), Permission.INVOKE, "m");
    assertThat(limited.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(limited.retryAfter()).hasValue(Duration.ofSeconds(40));
  }

  @Test
  void openCallsNeedNoKey() {
    assertThat(gate.check(new Caller(null, null, "test"), Permission.OPEN, null).principal()).isEqualTo("anonymous");
  }
}
