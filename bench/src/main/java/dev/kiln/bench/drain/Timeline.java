package dev.kiln.bench.drain;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** What the clients saw, in nanoseconds of {@link System#nanoTime()}, reported relative to the SIGTERM. */
final class Timeline {
  /** One request: who sent it, when it started and ended, how it ended. */
  record Call(String protocol, long start, long end, Outcome outcome) {}

  final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  final AtomicLong restNotReadyAt = new AtomicLong(Long.MAX_VALUE);
  final AtomicLong grpcNotReadyAt = new AtomicLong(Long.MAX_VALUE);
  final ConcurrentLinkedQueue<String> streamEnds = new ConcurrentLinkedQueue<>();
  volatile long sigterm = Long.MAX_VALUE;
  volatile long exit = Long.MAX_VALUE;
  volatile int exitCode = -1;

  void add(String protocol, long start, Outcome outcome) {
    calls.add(new Call(protocol, start, System.nanoTime(), outcome));
  }

  static void first(AtomicLong slot, long at) {
    slot.accumulateAndGet(at, Math::min);
  }

  long ms(long at) {
    return at == Long.MAX_VALUE ? -1 : (at - sigterm) / 1_000_000;
  }

  Map<Outcome, Integer> count(List<Call> of) {
    Map<Outcome, Integer> m = new EnumMap<>(Outcome.class);
    of.forEach(c -> m.merge(c.outcome(), 1, Integer::sum));
    return m;
  }

  List<Call> inFlightAtSigterm() {
    return calls.stream().filter(c -> c.start() < sigterm && c.end() >= sigterm).toList();
  }

  List<Call> startedAfterSigterm() {
    return calls.stream().filter(c -> c.start() >= sigterm).toList();
  }

  OptionalLong lastServed() {
    return calls.stream().filter(c -> c.outcome() == Outcome.OK && c.end() >= sigterm).mapToLong(Call::end).max();
  }
}
