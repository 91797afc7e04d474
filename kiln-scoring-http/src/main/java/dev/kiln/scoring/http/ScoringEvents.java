package dev.kiln.scoring.http;

import dev.kiln.core.access.Grants;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ResponseStream;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.scoring.ScoringJob;
import dev.kiln.scoring.ScoringService;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A scoring job's progress as Server-Sent Events, read from the store (so it follows a job whichever replica runs it):
 * {@code progress} with the whole job at once and whenever its state or committed rows change, polled every 500 ms; the
 * stream ends after the event of a finished job.
 */
final class ScoringEvents implements AutoCloseable {
  private static final long POLL_MS = 500;

  private final ScoringService scoring;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kiln-scoring-sse").daemon().factory());

  ScoringEvents(ScoringService scoring) {
    this.scoring = scoring;
  }

  CompletableFuture<RestResponse> events(RestRequest q) {
    long id = ScoringRestService.id(q);
    Grants who = q.grants();
    return CompletableFuture.supplyAsync(
        () -> {
          ScoringJob first = scoring.job(id, who);
          return RestResponse.events(out -> follow(id, who, first, out));
        },
        q.blocking());
  }

  private void follow(long id, Grants who, ScoringJob first, ResponseStream out) {
    AtomicReference<ScoringJob> sent = new AtomicReference<>();
    if (send(out, first, sent)) {
      return;
    }
    var poll =
        ticker.scheduleWithFixedDelay(
            () -> {
              try {
                send(out, scoring.job(id, who), sent);
              } catch (RuntimeException e) {
                out.end();
              }
            },
            POLL_MS,
            POLL_MS,
            TimeUnit.MILLISECONDS);
    out.onClose(() -> poll.cancel(false));
  }

  /** Sends the job if it changed; true once it is finished (the stream has ended). */
  private static boolean send(ResponseStream out, ScoringJob now, AtomicReference<ScoringJob> sent) {
    ScoringJob last = sent.get();
    if (last == null || last.state() != now.state() || last.rowsDone() != now.rowsDone()) {
      out.event("progress", new String(ApiJson.write(now), StandardCharsets.UTF_8));
      sent.set(now);
    }
    if (now.state().finished()) {
      out.end();
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
