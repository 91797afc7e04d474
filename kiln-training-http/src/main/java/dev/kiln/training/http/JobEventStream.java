package dev.kiln.training.http;

import dev.kiln.core.access.Grants;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ResponseStream;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobEvent;
import dev.kiln.training.job.TrainingService;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A job's progress as Server-Sent Events: the events this process sees, and a poll of the store for jobs run by other
 * replicas.
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
    Object lock = new Object();
    AutoCloseable watch;
    try {
      watch = training.watch(id, who, e -> send(out, e, lock));
    } catch (RuntimeException e) {
      out.end();
      return;
    }
    var poll =
        ticker.scheduleWithFixedDelay(
            () -> {
              try {
                Job now = training.job(id, who);
                if (now.state().finished()) {
                  synchronized (lock) {
                    out.event("state", new String(ApiJson.write(now), StandardCharsets.UTF_8));
                  }
                  out.end();
                }
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

  private static void send(ResponseStream out, JobEvent e, Object lock) {
    synchronized (lock) {
      out.event(e.type(), new String(ApiJson.write(e.data()), StandardCharsets.UTF_8));
    }
    if (e.type().equals("state") && e.data() instanceof Job j && j.state().finished()) {
      out.end();
    }
  }
}
