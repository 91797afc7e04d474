package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.auth.ApiKey;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.RateLimiter;
import dev.kiln.govern.auth.Scope;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas' limiters, each on a {@link Database} of its own over the same data, sharing one key's limits. Run on
 * each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}.
 */
abstract class SharedLimitsTest {
  static final int REPLICAS = 3;
  static final int THREADS_PER_REPLICA = 4;
  static final long LIMIT = 512; // leases of up to 16 (1/32 of it)
  // Mid-minute, so that no run crosses into the next window.
  final Clock clock = Clock.fixed(Instant.parse("2026-12-07T10:00:20Z"), ZoneOffset.UTC);

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;

  SharedLimitsTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  static ApiKey key(Limits limits) {
    return new ApiKey(
        "sharedkey123", "k", "h", List.of(Scope.parse("invoke:*")), limits, Map.of(), Instant.EPOCH, "t", null, null);
  }

  private RateLimiter[] replicas(int block) {
    RateLimiter[] limiters = new RateLimiter[REPLICAS];
    for (int r = 0; r < REPLICAS; r++) {
      limiters[r] = new RateLimiter(new JdbcCounterStore(db.open()), clock, block);
    }
    return limiters;
  }

  @Test
  void threeReplicasAdmitExactlyTheLimitInLeasesOfOne() throws Exception {
    assertThat(admittedUnderLoad(1)).isEqualTo(LIMIT);
  }

  @Test
  void threeReplicasAdmitExactlyTheLimitInLeasesOfSixteenWhileAllAreAsked() throws Exception {
    assertThat(admittedUnderLoad(16)).isEqualTo(LIMIT);
  }

  /** Twelve threads over three replicas, 1,200 requests in all on a limit of 512; each refusal is a 429's. */
  private long admittedUnderLoad(int block) throws Exception {
    RateLimiter[] limiters = replicas(block);
    ApiKey k = key(new Limits(LIMIT, null, null));
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    int perThread = 100;
    long start = System.nanoTime();
    Concurrently.run(
        REPLICAS * THREADS_PER_REPLICA,
        thread -> {
          RateLimiter limiter = limiters[thread % REPLICAS];
          for (int i = 0; i < perThread; i++) {
            Optional<KilnException> no = limiter.acquire(k, "m");
            if (no.isEmpty()) {
              admitted.incrementAndGet();
            } else {
              assertThat(no.get().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
              assertThat(no.get().retryAfter()).isPresent();
              refused.incrementAndGet();
            }
          }
        });
    long micros = (System.nanoTime() - start) / 1000;
    System.out.printf(
        "shared limit %s block %d: %d admitted, %d refused in %d us%n",
        backend, block, admitted.get(), refused.get(), micros);
    assertThat(admitted.get() + refused.get()).isEqualTo(REPLICAS * THREADS_PER_REPLICA * perThread);
    return admitted.get();
  }

  @Test
  void aSmallLimitIsLeasedOneByOneAndExact() {
    RateLimiter[] limiters = replicas(64);
    ApiKey k = key(new Limits(null, 20L, null)); // 20 / 32 < 1: leases of one
    for (RateLimiter limiter : limiters) {
      assertThat(limiter.acquire(k)).isEmpty();
    }
    int more = 0;
    while (limiters[0].acquire(k).isEmpty()) {
      more++;
    }
    assertThat(3 + more).as("nothing left unused on the idle replicas").isEqualTo(20);
  }

  @Test
  void aDailyQuotaLeavesAtMostTheUnusedLeasesOfIdleReplicasAndAStopGivesThemBack() {
    int block = 8;
    RateLimiter[] limiters = replicas(block);
    ApiKey k = key(new Limits(null, 256L, null)); // leases of 8, 1/32 of it
    for (RateLimiter limiter : limiters) {
      assertThat(limiter.acquire(k)).isEmpty(); // each leases 8 and uses 1
    }
    int more = 0;
    while (limiters[0].acquire(k).isEmpty()) {
      more++;
    }
    // Replicas 1 and 2 hold 7 each: the documented undershoot, R - 1 idle replicas times (block - 1).
    assertThat(3 + more).isEqualTo(256 - 2 * (block - 1));

    limiters[1].release(); // a stop gives its 7 back
    limiters[0].flush(); // and replica 0 asks the database again after its next flush
    int afterRelease = 0;
    while (limiters[0].acquire(k).isEmpty()) {
      afterRelease++;
    }
    assertThat(afterRelease).isEqualTo(block - 1);
    assertThat(limiters[2].acquire(k)).as("replica 2 still has its own lease").isEmpty();
  }
}
