package dev.kiln.engine.llama.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How language-model processes run and are supervised.
 *
 * @param workFolder where each model's owner-only folder (its socket, its link to the model file) is made; on the same
 *     file system as staged (decrypted) model files, so the link costs no copy
 * @param heap the child JVM's maximum heap, as {@code -Xmx} takes it ({@code 256m}); llama.cpp's memory is native and
 *     not part of it
 * @param restarts how often a model whose process died is restarted before it stays failed
 * @param backoff the wait before the first restart; doubled for each further one, up to {@code 32 * backoff}
 * @param heartbeat how often the child is pinged; one silent for {@code 5 * heartbeat} is killed and restarted
 * @param startTimeout how long a child may take to load its model
 * @param stopTimeout how long a child asked to end may take before it is killed
 * @param staged a folder of staged (decrypted) model files, or empty: a file there is deleted when the last model
 *     serving it closes, so the plaintext lives only while a process runs on it
 */
public record ProcessOptions(
    Path workFolder,
    String heap,
    int restarts,
    Duration backoff,
    Duration heartbeat,
    Duration startTimeout,
    Duration stopTimeout,
    Optional<Path> staged) {
  public ProcessOptions {
    Objects.requireNonNull(staged, "staged");
    Objects.requireNonNull(workFolder, "workFolder");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(startTimeout, "startTimeout");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    if (!Objects.requireNonNull(heap, "heap").matches("[0-9]+[kmgKMG]?")
        || restarts < 0
        || backoff.isNegative()
        || heartbeat.isNegative()
        || heartbeat.isZero()) {
      throw new IllegalArgumentException(
          "heap "
              + heap
              + ", restarts "
              + restarts
              + ", heartbeat "
              + heartbeat
              + " (expected: a size such as 256m, >= 0, > 0)");
    }
  }

  /** In the system's temporary folder, 256 MiB of heap, 5 restarts from 1 s apart, a heartbeat every 2 s. */
  public static ProcessOptions defaults() {
    return new ProcessOptions(
        Path.of(System.getProperty("java.io.tmpdir")),
        "256m",
        5,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(120),
        Duration.ofSeconds(5),
        Optional.empty());
  }

  public ProcessOptions withWorkFolder(Path folder) {
    return new ProcessOptions(folder, heap, restarts, backoff, heartbeat, startTimeout, stopTimeout, staged);
  }

  public ProcessOptions withRestarts(int attempts, Duration firstWait) {
    return new ProcessOptions(workFolder, heap, attempts, firstWait, heartbeat, startTimeout, stopTimeout, staged);
  }

  public ProcessOptions withStaged(Path folder) {
    return new ProcessOptions(
        workFolder, heap, restarts, backoff, heartbeat, startTimeout, stopTimeout, Optional.of(folder));
  }

  public ProcessOptions withHeap(String size) {
    return new ProcessOptions(workFolder, size, restarts, backoff, heartbeat, startTimeout, stopTimeout, staged);
  }
}
