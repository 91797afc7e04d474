package dev.kiln.govern.auth;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requests per minute and per UTC day, per key and per key and model, counted for the whole cluster.
 *
 * <p>Request limits are leased: a replica takes a lease of {@code min(block, limit / 32)} (at least 1) requests of a
 * window's budget from the shared counter in one atomic add, gives back at once whatever lay over the limit, and admits
 * from its lease in memory. The counter holds every request leased by any replica, so the cluster never admits more
 * than the limit, whatever the number of replicas, and a crash cannot add any. What a lease costs is undershoot: a
 * replica that stops getting requests keeps up to a lease less one unused until its window ends or it stops (a stop
 * gives them back, a crash loses them), so with R replicas at least {@code limit - (R - 1) * (lease - 1)} are admitted
 * before the replicas still asked refuse. A lease of 1 is a database round trip per limited request: 12,000 to 32,000 a
 * second over three replicas on two shared cores, under what one replica serves (about 30,000), while leases of 64 let
 * 0.7 to 1.5 million through a second, 1 to 3 µs of CPU a request (BENCHMARKS.md). Capping a lease at 1/32 of the limit
 * keeps small limits exact and what a replica can leave unused under 1/32 of a large one.
 *
 * <p>Token quotas cannot be leased (a call's tokens are known only when it ends): each replica adds what it charged
 * every {@code flush} (1 s) and reads back the cluster total, so across replicas they may be overshot by what the
 * others charged within that second. Daily counters live in the database, so they survive restarts.
 *
 * <p>With the database out of reach a limited request gets no lease: it is refused as UNAVAILABLE, Retry-After 1 s
 * (HTTP 503; clients and load balancers retry), not admitted nor failed as internal; once the database is back, it is.
 */
public final class RateLimiter {
  private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());

  /**
   * One limited quantity: its shared counter, its cluster total at the last flush, and what is not yet added (for a
   * leased request window: leases being given back); for a leased window also what is leased and not yet used here, and
   * whether the counter was found used up (asked again only after the next flush, so refusals cost no round trip).
   */
  private static final class Window {
    final CounterStore.Counter counter;
    volatile long total;
    final AtomicLong pending = new AtomicLong();
    final AtomicLong leased = new AtomicLong();
    volatile boolean exhausted;

    Window(CounterStore.Counter counter, long total) {
      this.counter = counter;
      this.total = total;
    }
  }

  private static final long OUTAGE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10); // an outage's warning: once per 10 s

  /** A lease is at most the limit over this; see {@link #leaseSize}. */
  static final long LEASE_SHARE = 32;

  private final CounterStore store;
  private final Clock clock;
  private final long block;
  private final Map<CounterStore.Counter, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong outageLogged = new AtomicLong(System.nanoTime() - OUTAGE_LOG_NANOS);

  /** A limiter whose leases are of one request: exact, a database round trip per limited request. */
  public RateLimiter(CounterStore store, Clock clock) {
    this(store, clock, 1);
  }

  /** A limiter that leases up to {@code block} (at least 1) requests of a window at a time; see the class comment. */
  public RateLimiter(CounterStore store, Clock clock, int block) {
    if (block < 1) {
      throw new IllegalArgumentException("block must be at least 1");
    }
    this.store = store;
    this.clock = clock;
    this.block = block;
  }

  /** Counts one request of {@code key} that names no model: empty if it may go ahead, else why not. */
  public Optional<KilnException> acquire(ApiKey key) {
    return acquire(key, key.limits(), Optional.empty());
  }

  /** Counts one request of {@code key} for {@code model}: empty if it may go ahead, else why not. */
  public Optional<KilnException> acquire(ApiKey key, String model) {
    Objects.requireNonNull(model, "model");
    Optional<Scoped> perModel = Optional.ofNullable(key.modelLimits().get(model)).map(l -> new Scoped(model, l));
    return acquire(key, key.limits(), perModel);
  }

  /** A key's limits on one model. */
  private record Scoped(String model, Limits limits) {}

  private Optional<KilnException> acquire(ApiKey key, Limits keyLimits, Optional<Scoped> perModel) {
    if (keyLimits.unlimited() && perModel.isEmpty()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    List<Window> taken = new ArrayList<>(4);
    KilnException refused;
    try {
      refused = take(taken, key, "*", keyLimits, now);
      if (refused == null && perModel.isPresent()) {
        refused = take(taken, key, perModel.get().model(), perModel.get().limits(), now);
      }
    } catch (RuntimeException storeDown) { // what the counter store throws when it cannot reach the database
      logOutage(storeDown);
      String why = "rate limits cannot be checked now: the database is unavailable";
      refused = KilnException.retryable(ErrorKind.UNAVAILABLE, why, Duration.ofSeconds(1));
    }
    if (refused != null) {
      taken.forEach(w -> w.leased.incrementAndGet()); // kept for this replica's next request
    }
    return Optional.ofNullable(refused);
  }

  private void logOutage(RuntimeException e) {
    long last = outageLogged.get();
    if (System.nanoTime() - last >= OUTAGE_LOG_NANOS && outageLogged.compareAndSet(last, System.nanoTime())) {
      LOG.log(Level.WARNING, "rate limit counters unreachable: limited requests are refused with 503 meanwhile", e);
    }
  }

  /** Null if every limit admits the request, else the refusal. */
  private KilnException take(List<Window> taken, ApiKey key, String scope, Limits limits, Instant now) {
    String what = scope.equals("*") ? "key " + key.id() : "key " + key.id() + " on model " + scope;
    if (limits.requestsPerMinute() != null) {
      Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
      Window w = window("rpm|" + key.id() + "|" + scope, minute, false);
      if (!admit(w, limits.requestsPerMinute(), taken)) {
        return KilnException.rateLimited(
            "rate limit of " + limits.requestsPerMinute() + " requests per minute reached" + " for " + what,
            retryAfter(now, minute.plusSeconds(60)));
      }
    }
    if (limits.tokensPerDay() != null) {
      // Tokens are known only once a call ends, so the quota admits calls while any of it is left and the
      // finished calls are charged after: the last call of the day may run over by its own length.
      Instant day = now.truncatedTo(ChronoUnit.DAYS);
      Window w = window("tpd|" + key.id() + "|" + scope, day, true);
      if (w.total + w.pending.get() >= limits.tokensPerDay()) {
        return KilnException.rateLimited(
            "daily quota of " + limits.tokensPerDay() + " tokens used up for " + what + "; it resets at 00:00 UTC",
            retryAfter(now, day.plus(1, ChronoUnit.DAYS)));
      }
    }
    if (limits.requestsPerDay() != null) {
      Instant day = now.truncatedTo(ChronoUnit.DAYS);
      Window w = window("rpd|" + key.id() + "|" + scope, day, false);
      if (!admit(w, limits.requestsPerDay(), taken)) {
        return KilnException.rateLimited(
            "daily quota of " + limits.requestsPerDay() + " requests used up for " + what + "; it resets at 00:00 UTC",
            retryAfter(now, day.plus(1, ChronoUnit.DAYS)));
      }
    }
    return null;
  }

  /** Whole seconds until {@code end}, at least one: a caller told to wait 0 s would only be refused again. */
  private static Duration retryAfter(Instant now, Instant end) {
    return Duration.ofSeconds(Math.max(1, Duration.between(now, end).toSeconds()));
  }

  private boolean admit(Window w, long limit, List<Window> taken) {
    while (true) {
      long left = w.leased.get();
      if (left > 0) {
        if (w.leased.compareAndSet(left, left - 1)) {
          taken.add(w);
          return true;
        }
        continue;
      }
      synchronized (w) { // one lease at a time per window; the others wait for it rather than lease too
        if (w.leased.get() > 0) {
          continue;
        }
        if (w.exhausted) {
          return false;
        }
        long granted = lease(w, limit);
        if (granted == 0) {
          w.exhausted = true;
          return false;
        }
        w.leased.addAndGet(granted);
      }
    }
  }

  /**
   * Adds a lease to the shared counter and gives back at once the part over {@code limit}: what the counter held before
   * this add (every replica's leases, and perhaps others' leases not yet given back) is at least what was granted, so
   * the grants never sum past the limit. A give-back in flight can only make another replica refuse too early.
   */
  private long lease(Window w, long limit) {
    long size = leaseSize(limit);
    long after = store.addAndGet(Map.of(w.counter, size), null).get(w.counter);
    long granted = Math.max(0, Math.min(size, limit - (after - size)));
    if (granted < size) {
      try {
        store.addAndGet(Map.of(w.counter, granted - size), null);
      } catch (RuntimeException storeDown) {
        w.pending.addAndGet(granted - size); // given back by a later flush; what was granted stands
      }
    }
    return granted;
  }

  /**
   * The block, but at most 1/{@value #LEASE_SHARE} of the limit: small limits (where a few requests matter and the rate
   * is low) are leased one by one and exact, large ones in blocks, each replica holding at most that share unused.
   */
  private long leaseSize(long limit) {
    return Math.max(1, Math.min(block, limit / LEASE_SHARE));
  }

  private Window window(String name, Instant start, boolean counted) {
    CounterStore.Counter c = new CounterStore.Counter(name, start);
    Window w = windows.get(c);
    if (w != null) {
      return w;
    }
    // First use in this process of a counted window: learn the cluster's total (after a restart, the day's so far).
    // A leased window learns it with its first lease.
    long total =
        counted ? store.addAndGet(Map.of(c, 0L), clock.instant().minus(Duration.ofDays(2))).getOrDefault(c, 0L) : 0L;
    return windows.computeIfAbsent(c, k -> new Window(k, total));
  }

  /** Charges a finished call's tokens to the key's (and the key and model's) daily token quota. */
  public void chargeTokens(ApiKey key, String model, long tokens) {
    Instant day = clock.instant().truncatedTo(ChronoUnit.DAYS);
    if (key.limits().tokensPerDay() != null) {
      window("tpd|" + key.id() + "|*", day, true).pending.addAndGet(tokens);
    }
    Limits perModel = model == null ? null : key.modelLimits().get(model);
    if (perModel != null && perModel.tokensPerDay() != null) {
      window("tpd|" + key.id() + "|" + model, day, true).pending.addAndGet(tokens);
    }
  }

  /** Gives back what this replica leased and did not use, so that others may admit it; call when stopping. */
  public void release() {
    for (Window w : windows.values()) {
      w.pending.addAndGet(-w.leased.getAndSet(0));
    }
    flush();
  }

  /** Adds this replica's counts to the shared counters and learns the cluster's totals; drops ended windows. */
  public void flush() {
    Instant now = clock.instant();
    Map<CounterStore.Counter, Long> deltas = new HashMap<>();
    for (Window w : windows.values()) {
      deltas.put(w.counter, w.pending.getAndSet(0));
      w.exhausted = false; // another replica may have given leases back since
    }
    if (deltas.isEmpty()) {
      return;
    }
    try {
      Map<CounterStore.Counter, Long> totals = store.addAndGet(deltas, now.minus(Duration.ofDays(2)));
      for (Window w : windows.values()) {
        Long t = totals.get(w.counter);
        if (t != null) {
          w.total = t;
        }
      }
    } catch (RuntimeException e) {
      deltas.forEach((c, d) -> {
        Window w = windows.get(c);
        if (w != null) {
          w.pending.addAndGet(d); // counted again at the next flush: nothing is lost to a database hiccup
        }
      });
      LOG.log(Level.WARNING, "rate limit counters could not be flushed; retrying", e);
      return;
    }
    Instant minuteAgo = now.truncatedTo(ChronoUnit.MINUTES);
    Instant today = now.truncatedTo(ChronoUnit.DAYS);
    windows
        .values()
        .removeIf(w ->
            w.pending.get() == 0
                && (w.counter.key().startsWith("rpm|")
                    ? w.counter.window().isBefore(minuteAgo)
                    : w.counter.window().isBefore(today)));
  }
}
