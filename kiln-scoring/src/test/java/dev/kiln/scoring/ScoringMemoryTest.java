package dev.kiln.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.store.Backend;
import dev.kiln.training.data.DatasetOptions;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The heap live after garbage collection while a job runs is about the same for a dataset of 100,000 rows and one of
 * 1,000,000 (one batch and one part are held, never the dataset), and its rows/s. Prints both; run it under a small
 * heap ({@code -DargLine= "--enable-native-access=ALL-UNNAMED -Xmx64m"}) to see the 1,000,000-row job (35 MiB of CSV)
 * finish in 64 MiB.
 */
class ScoringMemoryTest extends ScoringFixture {
  ScoringMemoryTest() {
    super(Backend.SQLITE);
  }

  @Test
  void heapStaysFlatWhateverTheDatasetsSize() throws Exception {
    long small = peakHeap(100_000);
    long large = peakHeap(1_000_000);
    assertThat(large).isLessThan(small * 2);
  }

  private long peakHeap(int rows) throws Exception {
    Path file = tmp.resolve("big-" + rows + ".csv");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(people(1).lines().findFirst().orElseThrow() + "\n");
      String[] sample = people(1_000).lines().skip(1).toArray(String[]::new);
      for (int i = 0; i < rows; i++) {
        String row = sample[i % sample.length];
        w.write("q" + i + row.substring(row.indexOf(',')) + "\n");
      }
    }
    datasets.add("big" + rows, file, DatasetOptions.csv("label"));
    ScoringJob job = store.create(new ScoringRequest("tabular", "big" + rows, 1, 256, "id"), "alice", rows);
    System.gc();
    AtomicLong peak = new AtomicLong();
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(() -> {
              while (!Thread.currentThread().isInterrupted()) {
                Runtime r = Runtime.getRuntime();
                peak.accumulateAndGet(r.totalMemory() - r.freeMemory(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    ScoringSettings settings = new ScoringSettings(1, java.time.Duration.ofSeconds(30), 10_000, 256, 4096);
    long t0 = System.nanoTime();
    try (ScoringRunner runner =
        new ScoringRunner(store, new ScoringWork(datasets, core, store, artifacts, settings), settings).start()) {
      ScoringJob done = awaitEnd(job.id(), 600);
      assertThat(done.state()).isEqualTo(ScoringState.SUCCEEDED);
      double seconds = (System.nanoTime() - t0) / 1e9;
      sampler.interrupt();
      System.out.printf(
          Locale.ROOT,
          "MEASURE %,d rows: %.1f s, job rows/s %.0f, largest pool left by a collection %.1f MiB (max heap %.0f MiB)%n",
          rows,
          seconds,
          done.rowsPerSecond(),
          peak.get() / 1048576.0,
          Runtime.getRuntime().maxMemory() / 1048576.0);
    }
    return peak.get();
  }
}
