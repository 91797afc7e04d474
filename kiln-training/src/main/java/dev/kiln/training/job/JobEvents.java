package dev.kiln.training.job;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Live events of the jobs this process runs. Watchers of a job running on another replica see its stored progress
 * instead (the service polls the store), so this bus is an optimisation for latency, never the record.
 */
public final class JobEvents {
  private final Map<Long, List<Consumer<JobEvent>>> watchers = new ConcurrentHashMap<>();

  /** Calls {@code watcher} for each event of job {@code id} until the returned handle is closed. */
  public AutoCloseable watch(long id, Consumer<JobEvent> watcher) {
    watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(watcher);
    return () ->
        watchers.computeIfPresent(
            id,
            (k, list) -> {
              list.remove(watcher);
              return list.isEmpty() ? null : list;
            });
  }

  void publish(JobEvent e) {
    List<Consumer<JobEvent>> list = watchers.get(e.job());
    if (list != null) {
      for (Consumer<JobEvent> w : list) {
        try {
          w.accept(e);
        } catch (RuntimeException ignored) {
          // one broken watcher (a closed connection) must not stop training or the others
        }
      }
    }
  }
}
