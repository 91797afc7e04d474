package dev.kiln.bench.soak;

import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bad-inputs T13: {@code concurrency} closed-loop clients (a third each over REST JSON, REST binary and gRPC) call a
 * small MLP for {@code duration}; {@code killPercent} of the calls are made by clients killed mid-request ({@link
 * Killed}). Every normal call must succeed. The resident set is sampled every 5 s; it and the heap after a full GC are
 * taken at the end of the warm-up and at the end of the run.
 */
final class Soak {
  enum Protocol {
    REST_JSON,
    REST_BINARY,
    GRPC
  }

  /** What one soak run measured. */
  record Result(
      Duration duration,
      int concurrency,
      double killPercent,
      Map<Protocol, Long> ok,
      long failed,
      long killed,
      List<String> firstErrors,
      long rssWarmMiB,
      long rssEndMiB,
      long rssWarmAfterGcMiB,
      long rssEndAfterGcMiB,
      long rssMaxMiB,
      long heapWarmMiB,
      long heapEndMiB,
      Memory warm,
      Memory end,
      double threadsWarm,
      double threadsEnd,
      List<LatencyByMinute.Minute> minutes,
      List<Long> rssPerMinute,
      long healthFailures,
      boolean serverAlive) {
    long okTotal() {
      return ok.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The JVM's own account, in MiB: committed heap, non-heap in use, direct buffers in use. */
  record Memory(long heapCommitted, long nonHeap, long direct) {
    static Memory of(PromText m) {
      return new Memory(
          mib(m.sum("jvm_memory_committed_bytes", "area=\"heap\"")),
          mib(m.sum("jvm_memory_used_bytes", "area=\"nonheap\"")),
          mib(m.sum("jvm_buffer_memory_used_bytes", "id=\"direct\"")));
    }

    private static long mib(double bytes) {
      return (long) (bytes / (1 << 20));
    }
  }

  private final ServerProcess server;
  private final InferRequests request;
  private final PrintStream progress;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Map<Protocol, AtomicLong> ok = new ConcurrentHashMap<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong killed = new AtomicLong();
  private final AtomicLong healthFailures = new AtomicLong();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

  Soak(ServerProcess server, InferRequests request, PrintStream progress) {
    this.server = server;
    this.request = request;
    this.progress = progress;
    for (Protocol p : Protocol.values()) {
      ok.put(p, new AtomicLong());
    }
  }

  Result run(Duration duration, Duration warmup, int concurrency, double killPercent) throws Exception {
    long start = System.nanoTime();
    LatencyByMinute latency = new LatencyByMinute(start, (int) duration.toMinutes());
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Protocol p = Protocol.values()[i % Protocol.values().length];
      workers.add(
          Thread.ofPlatform()
              .daemon()
              .name("soak-" + p + "-" + i)
              .start(() -> worker(p, channel, latency, killPercent / 100)));
    }
    List<Long> rssPerMinute = new ArrayList<>();
    long rssMax = 0;
    long minuteMax = 0;
    long nextMinute = start + 60_000_000_000L;
    long warmEnd = start + warmup.toNanos();
    long end = start + duration.toNanos();
    long rssWarm = -1;
    long rssWarmAfterGc = -1;
    long heapWarm = -1;
    double threadsWarm = -1;
    Memory memoryWarm = new Memory(-1, -1, -1);
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(5_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      long rss = server.rssMiB();
      rssMax = Math.max(rssMax, rss);
      minuteMax = Math.max(minuteMax, rss);
      if (server.get("/v2/health/live") != 200) {
        healthFailures.incrementAndGet();
      }
      if (rssWarm < 0 && System.nanoTime() >= warmEnd) {
        rssWarm = rss;
        heapWarm = server.heapAfterGcMiB();
        rssWarmAfterGc = server.rssSettledMiB(); // RSS less the heap slack the full GC gave back
        PromText m = server.metrics();
        threadsWarm = m.sum("jvm_threads_live_threads");
        memoryWarm = Memory.of(m);
        progress.printf(
            "soak: warm-up over: RSS %d MiB (%d after GC), heap after GC %d MiB, %.0f threads%n",
            rssWarm, rssWarmAfterGc, heapWarm, threadsWarm);
      }
      if (System.nanoTime() >= nextMinute) {
        rssPerMinute.add(minuteMax);
        minuteMax = 0;
        nextMinute += 60_000_000_000L;
        progress.printf(
            "soak: minute %d: %s ok, %d failed, %d killed, RSS %d MiB%n",
            rssPerMinute.size(),
            ok.values().stream().mapToLong(AtomicLong::get).sum(),
            failed.get(),
            killed.get(),
            rss);
      }
    }
    stop.set(true);
    for (Thread w : workers) {
      w.join(60_000);
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (minuteMax > 0) {
      rssPerMinute.add(minuteMax);
    }
    long rssEnd = server.rssMiB();
    long heapEnd = server.heapAfterGcMiB();
    long rssEndAfterGc = server.rssSettledMiB();
    PromText m = server.metrics();
    double threadsEnd = m.sum("jvm_threads_live_threads");
    Map<Protocol, Long> okCounts = new EnumMap<>(Protocol.class);
    ok.forEach((p, n) -> okCounts.put(p, n.get()));
    return new Result(
        duration,
        concurrency,
        killPercent,
        okCounts,
        failed.get(),
        killed.get(),
        List.copyOf(errors),
        rssWarm,
        rssEnd,
        rssWarmAfterGc,
        rssEndAfterGc,
        rssMax,
        heapWarm,
        heapEnd,
        memoryWarm,
        Memory.of(m),
        threadsWarm,
        threadsEnd,
        latency.minutes(),
        rssPerMinute,
        healthFailures.get(),
        server.alive());
  }

  private void worker(Protocol p, ManagedChannel channel, LatencyByMinute latency, double killShare) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    var future = GRPCInferenceServiceGrpc.newFutureStub(channel);
    while (!stop.get()) {
      boolean kill = ThreadLocalRandom.current().nextDouble() < killShare;
      long t0 = System.nanoTime();
      try {
        if (kill) {
          if (p == Protocol.GRPC) {
            Killed.grpc(future, request);
          } else {
            Killed.rest(server.httpPort, request);
          }
          killed.incrementAndGet();
          continue;
        }
        switch (p) {
          case REST_JSON -> rest(http, "application/json", request.json(), -1);
          case REST_BINARY -> rest(http, "application/octet-stream", request.binary(), request.binaryHeaderLength());
          case GRPC -> {
            var answer = blocking.withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(request.grpc());
            if (answer.getRawOutputContentsCount() != 1) {
              throw new IOException("gRPC answer without raw output");
            }
          }
        }
        latency.record(t0, System.nanoTime());
        ok.get(p).incrementAndGet();
      } catch (Exception e) {
        if (kill) {
          killed.incrementAndGet(); // the killed client's own failure (e.g. reset while writing) is its business
          continue;
        }
        failed.incrementAndGet();
        if (errors.size() < 5) {
          errors.add(p + ": " + e);
        }
      }
    }
  }

  private void rest(HttpClient http, String type, byte[] body, int headerLength) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.base + request.path()))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headerLength >= 0) {
      b.header("Inference-Header-Content-Length", Integer.toString(headerLength));
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + ": " + new String(r.body(), 0, Math.min(200, r.body().length)));
    }
    if (headerLength >= 0 && r.headers().firstValue("Inference-Header-Content-Length").isEmpty()) {
      throw new IOException("binary answer without Inference-Header-Content-Length");
    }
  }
}
