package dev.kiln.training.http;

import dev.kiln.core.access.Grants;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ResponseStream;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobEvent;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.Progress;
import dev.kiln.training.job.TrainingService;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A job's progress as Server-Sent Events: the events this process sees, and a poll of the store for jobs run by other
 * replicas (their takeovers, epochs and progress), so a job can be watched through any replica.
 */
final class JobEventStream implements AutoCloseable {
  /** How often an event stream re-reads the stored job, to see changes made by other replicas. */
  private static final long POLL_MS = 1000;

  private final TrainingService training;

  /** Re-reads jobs for open event streams; stopped by {@link #close}. */
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kiln-sse-poll").daemon().factory());

  JobEventStream(TrainingService training) {
    this.training = training;
  }

  /** Stops re-reading jobs for event streams; streams still open get no more events. */
  @Override
  public void close() {
    ticker.shutdownNow();
  }

  /**
   * The job's progress as Server-Sent Events: {@code state} first (the whole job), then {@code step}, {@code epoch},
   * {@code resumed} as they happen, and a last {@code state} when the job is over, after which the stream ends. Jobs
   * running on another replica are followed through the store once a second.
   */
  CompletableFuture<RestResponse> events(RestRequest q) {
    long id = Long.parseLong(q.param(0));
    return CompletableFuture.supplyAsync(
        () -> {
          Job first = training.job(id, q.grants());
          return RestResponse.events(out -> follow(id, q.grants(), first, out));
        },
        q.blocking());
  }

  private void follow(long id, Grants who, Job first, ResponseStream out) {
    out.event("state", new String(ApiJson.write(first), StandardCharsets.UTF_8));
    if (first.state().finished()) {
      out.end();
      return;
    }
    Sent sent = new Sent(first);
    AutoCloseable watch;
    try {
      watch = training.watch(id, who, e -> sent.local(out, e));
    } catch (RuntimeException e) {
      out.end();
      return;
    }
    var poll =
        ticker.scheduleWithFixedDelay(
            () -> {
              try {
                sent.stored(out, training.job(id, who));
              } catch (RuntimeException e) {
                out.end();
              }
            },
            POLL_MS,
            POLL_MS,
            TimeUnit.MILLISECONDS);
    out.onClose(() -> {
      poll.cancel(false);
      try {
        watch.close();
      } catch (Exception ignored) {
        // nothing to release beyond the registration
      }
    });
  }

  /**
   * What one stream has sent, so the same epoch or state is never sent twice when a job running here is also seen in
   * the store. Events of a job running here come live; of a job running on another replica, from the stored job once a
   * second: a new owner (a takeover) as {@code state}, each new epoch of its history as {@code epoch}, its progress as
   * {@code step}.
   */
  private static final class Sent {
    private int epoch;
    private JobState state;
    private String owner;
    private Progress progress;
    private long lastLocal;

    Sent(Job first) {
      note(first);
      first.history().forEach(e -> epoch = Math.max(epoch, e.epoch()));
    }

    private void note(Job j) {
      state = j.state();
      owner = j.owner();
    }

    synchronized void local(ResponseStream out, JobEvent e) {
      lastLocal = System.nanoTime();
      if (e.data() instanceof EpochMetrics m) {
        if (m.epoch() <= epoch) {
          return; // already sent from the store
        }
        epoch = m.epoch();
      }
      if (e.data() instanceof Job j) {
        note(j);
      }
      send(out, e.type(), e.data());
      if (e.data() instanceof Job j && j.state().finished()) {
        out.end();
      }
    }

    synchronized void stored(ResponseStream out, Job now) {
      if (now.state().finished()) {
        send(out, "state", now);
        out.end();
        return;
      }
      if (now.state() != state || !Objects.equals(now.owner(), owner)) {
        note(now);
        send(out, "state", now);
      }
      for (EpochMetrics m : now.history()) {
        if (m.epoch() > epoch) {
          epoch = m.epoch();
          send(out, "epoch", m);
        }
      }
      boolean quiet = System.nanoTime() - lastLocal > TimeUnit.MILLISECONDS.toNanos(POLL_MS);
      if (quiet && now.progress() != null && !now.progress().equals(progress)) {
        progress = now.progress();
        send(out, "step", progress);
      }
    }

    private static void send(ResponseStream out, String type, Object data) {
      out.event(type, new String(ApiJson.write(data), StandardCharsets.UTF_8));
    }
  }
}
