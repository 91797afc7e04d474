package dev.kiln.bench.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One way of reaching the model. A round starts {@code streams} generations together: each on a thread of its own,
 * released by one barrier, and returns when every one has ended.
 */
abstract class Side implements AutoCloseable {
  private final String name;
  private final ExecutorService threads;

  Side(String name, int maxStreams) {
    this.name = name;
    this.threads = Executors.newFixedThreadPool(maxStreams, Thread.ofPlatform().daemon().name(name + "-", 0).factory());
  }

  final String name() {
    return name;
  }

  /** Runs stream {@code index} to its end on the calling thread. */
  abstract Trace stream(int index) throws Exception;

  final List<Trace> round(int streams) throws Exception {
    CyclicBarrier start = new CyclicBarrier(streams);
    List<Future<Trace>> running = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      int index = i;
      running.add(
          threads.submit(() -> {
            start.await();
            return stream(index);
          }));
    }
    List<Trace> traces = new ArrayList<>(streams);
    for (Future<Trace> f : running) {
      traces.add(f.get());
    }
    return traces;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
