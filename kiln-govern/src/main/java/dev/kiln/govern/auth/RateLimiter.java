package dev.kiln.govern.auth;

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
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requests per minute and per UTC day, per key and per key and model, counted for the whole cluster.
 *
 * <p>A request is decided in memory: this replica's uncounted requests plus the cluster total as of the last flush.
 * Every {@code flush} interval (1 s by default) each replica adds what it counted to the shared counters and reads back
 * the totals in one transaction. So a limit holds exactly on one replica and, across N replicas, may be overshot by
 * what the others admitted within one interval; a database round trip per request would cost more than the whole
 * inference (measured in BENCHMARKS.md). Daily counters live in the database, so they survive restarts: a counter's
 * total is read before its first use.
 */
public final class RateLimiter {
  private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());

  /** One limited quantity: its shared counter, its cluster total at the last flush, and what is not yet added. */
  private static final class Window {
    final CounterStore.Counter counter;
    volatile long total;
    final AtomicLong pending = new AtomicLong();

    Window(CounterStore.Counter counter, long total) {
      this.counter = counter;
      this.total = total;
    }
  }

  private final CounterStore store;
  private final Clock clock;
  private final Map<CounterStore.Counter, Window> windows = new ConcurrentHashMap<>();

  public RateLimiter(CounterStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
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
    KilnException refused = take(taken, key, "*", keyLimits, now);
    if (refused == null && perModel.isPresent()) {
      refused = take(taken, key, perModel.get().model(), perModel.get().limits(), now);
    }
    if (refused != null) {
      taken.forEach(w -> w.pending.decrementAndGet());
    }
    return Optional.ofNullable(refused);
  }

  /** Null if every limit admits the request, else the refusal. */
  private KilnException take(List<Window> taken, ApiKey key, String scope, Limits limits, Instant now) {
    String what = scope.equals("*") ? "key " + key.id() : "key " + key.id() + " on model " + scope;
    if (limits.requestsPerMinute() != null) {
      Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
      Window w = window("rpm|" + key.id() + "|" + scope, minute);
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
      Window w = window("tpd|" + key.id() + "|" + scope, day);
      if (w.total + w.pending.get() >= limits.tokensPerDay()) {
        return KilnException.rateLimited(
            "daily quota of " + limits.tokensPerDay() + " tokens used up for " + what + "; it resets at 00:00 UTC",
            retryAfter(now, day.plus(1, ChronoUnit.DAYS)));
      }
    }
    if (limits.requestsPerDay() != null) {
      Instant day = now.truncatedTo(ChronoUnit.DAYS);
      Window w = window("rpd|" + key.id() + "|" + scope, day);
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

  private static boolean admit(Window w, long limit, List<Window> taken) {
    long pending = w.pending.incrementAndGet();
    if (w.total + pending > limit) {
      w.pending.decrementAndGet();
      return false;
    }
    taken.add(w);
    return true;
  }

  private Window window(String name, Instant start) {
    CounterStore.Counter c = new CounterStore.Counter(name, start);
    Window w = windows.get(c);
    if (w != null) {
      return w;
    }
    // First use in this process: learn the cluster's total (after a restart, the day's count so far).
    long total = store.addAndGet(Map.of(c, 0L), clock.instant().minus(Duration.ofDays(2))).getOrDefault(c, 0L);
    return windows.computeIfAbsent(c, k -> new Window(k, total));
  }

  /** Charges a finished call's tokens to the key's (and the key and model's) daily token quota. */
  public void chargeTokens(ApiKey key, String model, long tokens) {
    Instant day = clock.instant().truncatedTo(ChronoUnit.DAYS);
    if (key.limits().tokensPerDay() != null) {
      window("tpd|" + key.id() + "|*", day).pending.addAndGet(tokens);
    }
    Limits perModel = model == null ? null : key.modelLimits().get(model);
    if (perModel != null && perModel.tokensPerDay() != null) {
      window("tpd|" + key.id() + "|" + model, day).pending.addAndGet(tokens);
    }
  }

  /** Adds this replica's counts to the shared counters and learns the cluster's totals; drops ended windows. */
  public void flush() {
    Instant now = clock.instant();
    Map<CounterStore.Counter, Long> deltas = new HashMap<>();
    for (Window w : windows.values()) {
      deltas.put(w.counter, w.pending.getAndSet(0));
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
