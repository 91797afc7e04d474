package dev.kiln.scoring;

import dev.kiln.core.error.KilnException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs queued scoring jobs, at most {@link ScoringSettings#concurrency} at a time in this replica, claimed from the
 * shared store as training's {@code JobRunner} claims jobs: a running job's heartbeat is renewed every third of the
 * lease, and a job whose heartbeat is older than the lease (its replica died) is claimed again and resumes after its
 * last committed part. Closing the runner stops its jobs at the next batch and puts them back in the queue.
 */
public final class ScoringRunner implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ScoringRunner.class.getName());

  private final JdbcScoringStore store;
  private final ScoringWork work;
  private final ScoringSettings settings;
  private final Semaphore slots;
  private final String owner = UUID.randomUUID().toString();
  private final Map<Long, Run> running = new ConcurrentHashMap<>();
  private final ExecutorService pool =
      Executors.newCachedThreadPool(Thread.ofPlatform().name("kiln-score-", 1).daemon().factory());
  private final Thread scheduler;
  private final Object wake = new Object();
  private volatile boolean closing;

  /** A job this replica is running. */
  private static final class Run {
    volatile boolean cancel;
  }

  ScoringRunner(JdbcScoringStore store, ScoringWork work, ScoringSettings settings) {
    this.store = store;
    this.work = work;
    this.settings = settings;
    this.slots = new Semaphore(settings.concurrency());
    this.scheduler = Thread.ofPlatform().name("kiln-score-scheduler").daemon().unstarted(this::schedule);
  }

  public ScoringRunner start() {
    scheduler.start();
    return this;
  }

  /** Looks for work now rather than at the next poll (a job was just submitted). */
  public void wake() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /** Stops the job at its next batch if this replica runs it (other replicas see the store's flag at a heartbeat). */
  void cancelLocal(long id) {
    Run r = running.get(id);
    if (r != null) {
      r.cancel = true;
    }
  }

  private void schedule() {
    long beat = settings.lease().toMillis() / 3;
    long lastBeat = 0;
    while (!closing) {
      try {
        if (System.nanoTime() - lastBeat >= beat * 1_000_000) {
          beat();
          lastBeat = System.nanoTime();
        }
        while (!closing && slots.tryAcquire()) {
          Optional<ScoringJob> claimed = store.claim(owner, Instant.now(), settings.lease());
          if (claimed.isEmpty()) {
            slots.release();
            break;
          }
          ScoringJob job = claimed.get();
          LOG.info("scoring job " + job.id() + (job.runs() > 1 ? " resumes at row " + job.rowsDone() : " starts"));
          Run run = new Run();
          running.put(job.id(), run);
          pool.execute(() -> execute(job, run));
        }
        synchronized (wake) {
          wake.wait(Math.min(500, beat));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "scoring job scheduling failed; retrying", e);
      }
    }
  }

  /** Renews the lease of every job running here, and picks up cancel requests made through other replicas. */
  private void beat() {
    Instant now = Instant.now();
    running.forEach((id, run) ->
        store
            .update(id, j -> owner.equals(j.owner()) ? j.beat(now) : j)
            .ifPresent(j -> run.cancel |= j.cancelRequested()));
  }

  private void execute(ScoringJob job, Run run) {
    long id = job.id();
    try {
      work.run(job, owner, () -> run.cancel || closing);
      end(id, ScoringState.SUCCEEDED, null);
    } catch (ScoringWork.Stopped e) {
      if (closing && !run.cancel) {
        store.update(id, j -> owner.equals(j.owner()) ? j.released() : j);
      } else {
        end(id, ScoringState.CANCELLED, "cancelled");
      }
    } catch (ScoringWork.Lost e) {
      LOG.warning("scoring job " + id + " was taken over by another replica; this one stops");
    } catch (RuntimeException e) {
      // Kiln's own exceptions carry messages written for users; anything else may hold paths or internals.
      boolean forUsers = e instanceof KilnException && e.getMessage() != null;
      if (!forUsers) {
        LOG.log(Level.WARNING, "scoring job " + id + " failed", e);
      }
      end(id, ScoringState.FAILED, forUsers ? e.getMessage() : "internal error (details in the server log)");
    } finally {
      running.remove(id);
      slots.release();
      wake();
    }
  }

  /** Ends the job, unless another replica holds it now. */
  private void end(long id, ScoringState state, String why) {
    store.update(id, j -> owner.equals(j.owner()) ? j.ended(state, Instant.now(), why) : j);
  }

  @Override
  public void close() {
    closing = true;
    wake();
    scheduler.interrupt();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warning("scoring jobs did not stop within 30 s");
      }
      scheduler.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
