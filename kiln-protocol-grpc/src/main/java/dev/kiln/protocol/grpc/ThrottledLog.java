package dev.kiln.protocol.grpc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A log line for events that callers can trigger at will (malformed messages): at most one line per interval, carrying
 * how many events it stands for and the latest reason, so a flood costs a few lines instead of a stack trace per
 * message. Events after the last line are counted into the next one.
 */
final class ThrottledLog {
  private final Logger log;
  private final String what;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong nextLineAt;

  ThrottledLog(Logger log, String what, Duration interval) {
    this(log, what, interval, System::nanoTime);
  }

  ThrottledLog(Logger log, String what, Duration interval, LongSupplier nanoTime) {
    this.log = Objects.requireNonNull(log, "log");
    this.what = Objects.requireNonNull(what, "what");
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
  }

  /** Counts one event; writes a line when the interval since the last line has passed. */
  void record(String reason) {
    pending.incrementAndGet();
    long now = nanoTime.getAsLong();
    long due = nextLineAt.get();
    if (now - due >= 0 && nextLineAt.compareAndSet(due, now + intervalNanos)) {
      long n = pending.getAndSet(0);
      log.log(Level.WARNING, "{0}: {1} since the last report (latest: {2})", new Object[] {what, n, reason});
    }
  }
}
