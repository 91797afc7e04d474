package dev.kiln.training.job;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.DatasetTombstone;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deletes dataset versions whose name's retention period has run out, every {@code interval}, on every replica. Each
 * expired version is deleted by {@link DatasetDeletion} with {@code retention} as who and why: sweepers racing on
 * several replicas claim a version by deleting its row, so exactly one deletes its bytes and writes its tombstone. A
 * version with a queued or running job is left for a later sweep; one that trained served models is deleted anyway
 * (they keep serving, their lineage shows the tombstone) and a warning names them.
 */
public final class RetentionSweep implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RetentionSweep.class.getName());

  private final DatasetStore datasets;
  private final DatasetDeletion deletion;
  private final Clock clock;
  private ScheduledExecutorService timer;

  public RetentionSweep(DatasetStore datasets, JobStore jobs, Clock clock) {
    this.datasets = Objects.requireNonNull(datasets, "datasets");
    this.deletion = new DatasetDeletion(datasets, jobs);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Deletes what has expired now; how many versions this call deleted (others may have been deleted elsewhere). */
  public int sweep() {
    int deleted = 0;
    for (DatasetManifest m : datasets.expired(clock.instant())) {
      try {
        var done = deletion.delete(m.name(), m.version(), DatasetTombstone.RETENTION, DatasetTombstone.RETENTION, true);
        deleted++;
        if (!done.models().isEmpty()) {
          LOG.warning(
              "retention deleted dataset "
                  + m.name()
                  + " version "
                  + m.version()
                  + ", which trained the served models "
                  + done.models()
                  + "; they keep serving and their lineage shows the deletion");
        }
      } catch (KilnException e) {
        if (e.kind() != ErrorKind.NOT_FOUND) { // NOT_FOUND: another replica's sweep deleted it first
          LOG.info("retention left dataset " + m.name() + " version " + m.version() + " for now: " + e.getMessage());
        }
      }
    }
    return deleted;
  }

  /** Sweeps every {@code interval} from now until {@link #close}, on one daemon thread. */
  public synchronized RetentionSweep start(Duration interval) {
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kiln-retention").daemon().factory());
      long ms = Math.max(1, interval.toMillis());
      timer.scheduleWithFixedDelay(this::sweepQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "retention sweep failed; trying again at the next one", e);
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
