package dev.kiln.training.job;

import dev.kiln.core.error.KilnException;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.StepProgress;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs queued jobs, at most {@code concurrency} at a time in this process (0: none; the replica only serves the API).
 * Jobs are claimed from the shared store, so several replicas share one queue; a running job's heartbeat is renewed
 * every {@code heartbeat}, and a job whose heartbeat is older than {@code lease} (its process died) is claimed again
 * and resumes from its last checkpoint. Closing the runner stops its jobs at the next step and puts them back in the
 * queue.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());

  /** Progress is written to the store at most this often per job (events go out live regardless). */
  private static final Duration PROGRESS_WRITES = Duration.ofSeconds(1);

  private final JobStore store;
  private final JobWork work;
  private final JobEvents events;
  private final Duration lease;
  private final Duration heartbeat;
  private final Semaphore slots;
  private final String owner = UUID.randomUUID().toString();
  private final Map<Long, Run> running = new ConcurrentHashMap<>();
  private final ExecutorService pool =
      Executors.newCachedThreadPool(Thread.ofPlatform().name("kiln-train-", 1).daemon().factory());
  private final Thread scheduler;
  private final Object wake = new Object();
  private volatile boolean closing;

  /** A job this process is running. */
  private static final class Run {
    volatile boolean cancel;
    volatile long lastWrite;

    /** The steps so far: written with progress and with each epoch, so the store never lags an epoch behind. */
    volatile List<StepLoss> steps;

    Run(List<StepLoss> steps) {
      this.steps = steps;
    }
  }

  public JobRunner(
      JobStore store, JobWork work, JobEvents events, int concurrency, Duration lease, Duration heartbeat) {
    this.store = store;
    this.work = work;
    this.events = events;
    this.lease = lease;
    this.heartbeat = heartbeat;
    this.slots = new Semaphore(concurrency);
    this.scheduler = Thread.ofPlatform().name("kiln-train-scheduler").daemon().unstarted(this::schedule);
  }

  public JobRunner start() {
    scheduler.start();
    return this;
  }

  /** Looks for work now rather than at the next poll (a job was just submitted). */
  public void wake() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /** Stops the job if this process runs it; returns false otherwise (the store flag reaches its runner). */
  boolean cancelLocal(long id) {
    Run r = running.get(id);
    if (r != null) {
      r.cancel = true;
    }
    return r != null;
  }

  private void schedule() {
    long lastBeat = 0;
    while (!closing) {
      try {
        if (System.nanoTime() - lastBeat >= heartbeat.toNanos()) {
          beat();
          lastBeat = System.nanoTime();
        }
        while (!closing && slots.tryAcquire()) {
          Optional<Job> claimed = store.claim(owner, Instant.now(), lease);
          if (claimed.isEmpty()) {
            slots.release();
            break;
          }
          Job job = claimed.get();
          // Which process runs which job, for whoever reads the logs of several replicas (a takeover says so).
          LOG.info("running job " + job.id() + (job.history().isEmpty() ? "" : " (taken over or resumed)"));
          Run run = new Run(job.steps()); // a resumed job goes on from what was recorded
          running.put(job.id(), run);
          events.publish(new JobEvent(job.id(), "state", job));
          pool.execute(() -> execute(job, run));
        }
        synchronized (wake) {
          wake.wait(Math.min(500, heartbeat.toMillis()));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "job scheduling failed; retrying", e);
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

  private void execute(Job job, Run run) {
    long id = job.id();
    try {
      JobWork.Result result = work.run(job, listener(id, run), () -> run.cancel || closing);
      finish(id, j -> j.succeeded(Instant.now(), result.history(), result.evaluation(), result.lineage()));
    } catch (TrainingException.Cancelled e) {
      if (closing && !run.cancel) {
        store.update(id, Job::released); // shutting down: the next start resumes it from its checkpoint
      } else {
        finish(id, j -> j.ended(JobState.CANCELLED, Instant.now(), "cancelled"));
      }
    } catch (TrainingException | RuntimeException e) {
      // Kiln's own exceptions carry messages written for users; anything else may hold paths or internals.
      boolean forUsers = e instanceof TrainingException || e instanceof KilnException;
      String why = forUsers && e.getMessage() != null ? e.getMessage() : "internal error (details in the server log)";
      if (!forUsers) {
        LOG.log(Level.WARNING, "job " + id + " failed", e);
      }
      finish(id, j -> j.ended(JobState.FAILED, Instant.now(), why));
    } finally {
      running.remove(id);
      slots.release();
      wake();
    }
  }

  private void finish(long id, UnaryOperator<Job> change) {
    store.update(id, change).ifPresent(j -> events.publish(new JobEvent(id, "state", j)));
  }

  private TrainingListener listener(long id, Run run) {
    return new TrainingListener() {
      @Override
      public void onStep(StepProgress s) {
        Progress p =
            new Progress(s.epoch(), s.epochs(), s.step(), s.steps(), s.loss(), s.examplesPerSecond(), s.etaSeconds());
        events.publish(new JobEvent(id, "step", p));
        List<StepLoss> steps =
            StepLoss.add(run.steps, new StepLoss((long) (s.epoch() - 1) * s.steps() + s.step(), s.epoch(), s.loss()));
        run.steps = steps;
        long now = System.nanoTime();
        if (now - run.lastWrite >= PROGRESS_WRITES.toNanos()) {
          run.lastWrite = now;
          store.update(id, j -> j.withProgress(p, steps));
        }
      }

      @Override
      public void onEpoch(EpochMetrics e) {
        List<StepLoss> steps = run.steps;
        store.update(id, j -> j.withEpoch(e, steps));
        events.publish(new JobEvent(id, "epoch", e));
      }

      @Override
      public void onResumed(int fromEpoch) {
        LOG.info("job " + id + " resumes at epoch " + fromEpoch + " from its checkpoint");
        events.publish(new JobEvent(id, "resumed", Map.of("epoch", fromEpoch)));
      }
    };
  }

  @Override
  public void close() {
    closing = true;
    wake();
    scheduler.interrupt();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warning("training jobs did not stop within 30 s");
      }
      scheduler.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
