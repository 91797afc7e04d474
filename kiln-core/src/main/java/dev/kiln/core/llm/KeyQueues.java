package dev.kiln.core.llm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Waiting requests in one sub-queue per caller key, served round-robin: each key with something waiting gets the next
 * slot in turn, whatever the others have queued, so one key's flood delays another key's request by at most one request
 * per other busy key rather than by the whole flood. A key that had nothing waiting joins the round at its end. Within
 * a key, first come first served. Requests are counted, not weighted by tokens: {@code max_tokens} is capped per
 * request, so one turn costs at most that cap. Not thread-safe: its {@link SlotPool} guards it.
 */
final class KeyQueues<T> {
  private final Map<String, ArrayDeque<T>> byKey = new HashMap<>();

  /** Keys with something waiting, the next to be served first. */
  private final ArrayDeque<String> round = new ArrayDeque<>();

  private int size;

  void add(String key, T item) {
    byKey
        .computeIfAbsent(
            key,
            k -> {
              round.addLast(k);
              return new ArrayDeque<>();
            })
        .addLast(item);
    size++;
  }

  /** The next request in the round: the first of the key whose turn it is; that key goes to the end of the round. */
  Optional<T> next() {
    String key = round.pollFirst();
    if (key == null) {
      return Optional.empty();
    }
    ArrayDeque<T> mine = byKey.get(key);
    T item = mine.pollFirst();
    size--;
    if (mine.isEmpty()) {
      byKey.remove(key);
    } else {
      round.addLast(key);
    }
    return Optional.of(item);
  }

  /** Takes {@code item} out of {@code key}'s sub-queue; false when it is not there (already taken). */
  boolean remove(String key, T item) {
    ArrayDeque<T> mine = byKey.get(key);
    if (mine == null || !mine.remove(item)) {
      return false;
    }
    size--;
    if (mine.isEmpty()) {
      byKey.remove(key);
      round.remove(key);
    }
    return true;
  }

  /** Requests {@code key} has waiting. */
  int waiting(String key) {
    ArrayDeque<T> mine = byKey.get(key);
    return mine == null ? 0 : mine.size();
  }

  /** Keys with something waiting. */
  int keys() {
    return round.size();
  }

  int size() {
    return size;
  }

  /** Empties every sub-queue, returning what waited, in round order. */
  List<T> clear() {
    List<T> all = new ArrayList<>(size);
    for (Optional<T> t = next(); t.isPresent(); t = next()) {
      all.add(t.get());
    }
    return all;
  }
}
