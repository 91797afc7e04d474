package dev.kiln.server;

import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.ZipArchive;
import dev.kiln.training.spec.ExactLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The training service's settings.
 *
 * @param dataDir datasets ({@code datasets/}); without a database also jobs ({@code jobs/}: state, checkpoints,
 *     exported models) and sweeps ({@code sweeps/}), so that replicas sharing it share one queue (with a database, jobs
 *     and sweeps are its rows and their files are in the artifact store)
 * @param concurrency jobs this process trains at once; 0 for a replica that serves the training API but runs none
 * @param threads libtorch intra-op threads per job
 * @param lease how long a running job's heartbeat may be silent before another process takes it over
 * @param engineCache where libtorch's native library is unpacked (about 430 MB, once)
 * @param datasetLimits what a dataset upload may hold: rows, columns, cells, inflated bytes, image pixels
 * @param archiveLimits what a zipped folder upload may unpack to
 * @param sweepMaxTrials the most trials one hyperparameter sweep may queue (a grid's combinations included)
 * @param exactLimits how large a linear or logistic regression the exact solvers take (larger: 400, use gradient
 *     descent)
 * @param retentionInterval how often this replica deletes dataset versions whose retention has run out (with a
 *     database; every replica sweeps, and each version is deleted once)
 */
public record TrainingConfig(
    Path dataDir,
    int concurrency,
    int threads,
    Duration lease,
    Path engineCache,
    ReadLimits datasetLimits,
    ZipArchive.Limits archiveLimits,
    int sweepMaxTrials,
    ExactLimits exactLimits,
    Duration retentionInterval) {
  public TrainingConfig {
    Objects.requireNonNull(exactLimits, "exactLimits");
    Objects.requireNonNull(datasetLimits, "datasetLimits");
    Objects.requireNonNull(archiveLimits, "archiveLimits");
    if (concurrency < 0 || threads < 1) {
      throw new IllegalArgumentException("training concurrency must be at least 0 and threads at least 1");
    }
    if (sweepMaxTrials < 1) {
      throw new IllegalArgumentException("a sweep must be allowed at least one trial");
    }
    if (retentionInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("the retention interval must be at least 1 s");
    }
    if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("the job lease must be at least 2 s");
    }
  }

  public static TrainingConfig defaults(Path dataDir) {
    String cache = System.getenv("DJL_CACHE_DIR");
    return new TrainingConfig(
        dataDir,
        1,
        1,
        Duration.ofSeconds(15),
        cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "kiln", "djl"),
        ReadLimits.defaults(),
        ZipArchive.Limits.defaults(),
        100,
        ExactLimits.defaults(),
        Duration.ofHours(1));
  }

  public TrainingConfig withLease(Duration d) {
    return new TrainingConfig(
        dataDir,
        concurrency,
        threads,
        d,
        engineCache,
        datasetLimits,
        archiveLimits,
        sweepMaxTrials,
        exactLimits,
        retentionInterval);
  }

  public TrainingConfig withConcurrency(int c, int t) {
    return new TrainingConfig(
        dataDir,
        c,
        t,
        lease,
        engineCache,
        datasetLimits,
        archiveLimits,
        sweepMaxTrials,
        exactLimits,
        retentionInterval);
  }

  public TrainingConfig withDatasetLimits(ReadLimits read, ZipArchive.Limits archive) {
    return new TrainingConfig(
        dataDir,
        concurrency,
        threads,
        lease,
        engineCache,
        read,
        archive,
        sweepMaxTrials,
        exactLimits,
        retentionInterval);
  }

  public TrainingConfig withSweepMaxTrials(int max) {
    return new TrainingConfig(
        dataDir,
        concurrency,
        threads,
        lease,
        engineCache,
        datasetLimits,
        archiveLimits,
        max,
        exactLimits,
        retentionInterval);
  }

  public TrainingConfig withExactLimits(ExactLimits limits) {
    return new TrainingConfig(
        dataDir,
        concurrency,
        threads,
        lease,
        engineCache,
        datasetLimits,
        archiveLimits,
        sweepMaxTrials,
        limits,
        retentionInterval);
  }

  /** How often this replica looks for dataset versions whose retention has run out (governed servers only). */
  public TrainingConfig withRetentionInterval(Duration interval) {
    return new TrainingConfig(
        dataDir,
        concurrency,
        threads,
        lease,
        engineCache,
        datasetLimits,
        archiveLimits,
        sweepMaxTrials,
        exactLimits,
        interval);
  }
}
