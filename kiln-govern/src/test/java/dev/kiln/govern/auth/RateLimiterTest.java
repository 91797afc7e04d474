package dev.kiln.govern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.store.GovernanceStores;
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

/** The limiter over a real (SQLite) counter store, with time under the test's control. */
class RateLimiterTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-23T10:00:05Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @TempDir Path dir;
  GovernanceStores stores;
  TestClock clock = new TestClock();

  @BeforeEach
  void open() {
    stores = GovernanceStores.sqlite(dir);
  }

  @AfterEach
  void close() {
    stores.close();
  }

  static ApiKey key(Limits limits, Map<String, Limits> perModel) {
    return new ApiKey(
        "abcdefghijkl", "k", "h", List.of(Scope.parse("invoke:*")), limits, perModel, Instant.EPOCH, "t", null, null);
  }

  @Test
  void aMinuteLimitRefusesUntilTheNextMinuteAndSaysHowLong() {
    RateLimiter limiter = new RateLimiter(stores.counters(), clock);
    ApiKey k = key(new Limits(2L, null, null), Map.of());
    assertThat(limiter.acquire(k, "m")).isEmpty();
    assertThat(limiter.acquire(k, "m")).isEmpty();
    KilnException refused = limiter.acquire(k, "m").orElseThrow();
    assertThat(refused.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(refused.retryAfter()).hasValue(Duration.ofSeconds(55));
    clock.now = clock.now.plusSeconds(60);
    assertThat(limiter.acquire(k, "m")).isEmpty();
  }

  @Test
  void perModelLimitsApplyOnTopOfTheKeys() {
    RateLimiter limiter = new RateLimiter(stores.counters(), clock);
    ApiKey k = key(new Limits(10L, null, null), Map.of("small", new Limits(1L, null, null)));
    assertThat(limiter.acquire(k, "small")).isEmpty();
    assertThat(limiter.acquire(k, "small"))
        .get()
        .extracting(KilnException::getMessage)
        .asString()
        .contains("on model small");
    for (int i = 0; i < 9; i++) {
      assertThat(limiter.acquire(k, "big")).as("call %d", i).isEmpty();
    }
    assertThat(limiter.acquire(k, "big")).isPresent(); // the key allows 10 a minute: 1 on small, 9 on big
  }

  @Test
  void twoReplicasShareOneLimitThroughTheStore() {
    RateLimiter a = new RateLimiter(stores.counters(), clock);
    RateLimiter b = new RateLimiter(stores.counters(), clock);
    ApiKey k = key(new Limits(null, 4L, null), Map.of());
    assertThat(a.acquire(k)).isEmpty();
    assertThat(a.acquire(k)).isEmpty();
    assertThat(b.acquire(k)).isEmpty();
    a.flush();
    b.flush();
    a.flush(); // a learns b's count
    assertThat(a.acquire(k)).isEmpty();
    assertThat(a.acquire(k)).isPresent();
  }

  @Test
  void aDailyQuotaSurvivesARestartAndResetsAtMidnightUtc() {
    RateLimiter before = new RateLimiter(stores.counters(), clock);
    ApiKey k = key(new Limits(null, 2L, null), Map.of());
    before.acquire(k);
    before.acquire(k);
    before.flush();
    RateLimiter after = new RateLimiter(stores.counters(), clock); // a new process on the same database
    KilnException refused = after.acquire(k).orElseThrow();
    assertThat(refused.retryAfter()).hasValue(Duration.ofHours(14).minusSeconds(5));
    clock.now = Instant.parse("2026-11-24T00:00:01Z");
    assertThat(after.acquire(k)).isEmpty();
  }

  @Test
  void keysWithoutLimitsNeverTouchTheStore() {
    RateLimiter limiter =
        new RateLimiter(
            (deltas, expire) -> {
              throw new AssertionError("no limits, no counting");
            },
            clock);
    assertThat(limiter.acquire(key(Limits.NONE, Map.of()), "m")).isEmpty();
  }
}
