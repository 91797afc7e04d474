package dev.kiln.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory per request: a body that declares a huge tensor but sends one value costs what was sent, not what was
 * declared; and bodies that take long to decode never hold up the health probes.
 */
class OipRestMemoryTest {
  private static final int LIMIT = HttpSettings.DEFAULT_MAX_REQUEST_BYTES;

  /**
   * The bomb of issue 10: FP64 [85000, 784] (533 MB) with one value, padded with spaces to just under the 64 MiB
   * limit, sent as about 64 KiB of gzip.
   */
  static byte[] shapeBomb() throws Exception {
    String head = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [85000, 784], "
        + "\"data\": [1]}]";
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] spaces = new byte[1 << 20];
      Arrays.fill(spaces, (byte) ' ');
      int left = LIMIT - head.length() - 16;
      while (left > 0) {
        int n = Math.min(left, spaces.length);
        gz.write(spaces, 0, n);
        left -= n;
      }
      gz.write('}');
    }
    return zipped.toByteArray();
  }

  @Test
  void aShapeBombIsRefusedWithoutAllocatingTheShape(@TempDir Path root) throws Exception {
    try (RestFixture f = new RestFixture(root, HttpSettings.defaults("127.0.0.1", 0), false)) {
      byte[] bomb = shapeBomb();
      assertThat(bomb.length).isLessThan(128 * 1024);
      BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long heapBefore = allocated(threads, "");
      long decodeBefore = allocated(threads, "kiln-http-decode-");
      long directBefore = direct.getMemoryUsed();
      // Direct buffers are freed only after a GC, but a peak can be missed: sample it while the request runs.
      AtomicLong directPeak = new AtomicLong(directBefore);
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler = Thread.ofPlatform().start(() -> {
        while (sampling.get()) {
          directPeak.accumulateAndGet(direct.getMemoryUsed(), Math::max);
          Thread.onSpinWait();
        }
      });
      HttpResponse<byte[]> r = f.post("/v2/models/mlp/infer", bomb, Map.of("Content-Encoding", "gzip"));
      sampling.set(false);
      sampler.join();
      directPeak.accumulateAndGet(direct.getMemoryUsed(), Math::max);
      String error = RestFixture.json(r).path("error").asText();
      assertThat(r.statusCode()).as(error).isEqualTo(400);
      assertThat(error).contains("data has 1 elements");
      // What the server may take for this request: the inflated body (Netty's buffers) and small change; the
      // declared tensor alone would be 533 MB.
      assertThat(directPeak.get() - directBefore).as("direct bytes allocated").isLessThan(2L * LIMIT);
      assertThat(allocated(threads, "kiln-http-decode-") - decodeBefore).as("heap bytes allocated decoding")
          .isLessThan(LIMIT / 8);
      assertThat(allocated(threads, "") - heapBefore).as("heap bytes allocated by the server").isLessThan(2L * LIMIT);
    }
  }

  /** Heap bytes allocated so far by the server's threads (event loops, decoders) whose name starts so. */
  private static long allocated(com.sun.management.ThreadMXBean threads, String prefix) {
    long sum = 0;
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      String name = t == null ? "" : t.getThreadName();
      boolean server = name.startsWith("multiThreadIoEventLoopGroup") || name.startsWith("kiln-http-decode-");
      if (server && name.startsWith(prefix)) {
        sum += Math.max(0, threads.getThreadAllocatedBytes(t.getThreadId()));
      }
    }
    return sum;
  }

  /**
   * A body that parses for a long time (millions of numbers, one too many for its shape) keeps a decoding thread
   * busy; the event loop (one here) must answer /v2/health/live meanwhile.
   */
  @Test
  void healthAnswersWhileHeavyBodiesDecode(@TempDir Path root) throws Exception {
    HttpSettings settings = HttpSettings.defaults("127.0.0.1", 0).withIoThreads(1);
    try (RestFixture f = new RestFixture(root, settings, false)) {
      int rows = 1_000_000;
      StringBuilder data = new StringBuilder(rows * 4 * 9);
      for (int i = 0; i < rows * 4 + 1; i++) {
        data.append(i == 0 ? "" : ",").append("1.234567");
      }
      byte[] heavy = ("{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [" + rows + ", 4], "
          + "\"data\": [" + data + "]}, {\"name\": \"b\", \"datatype\": \"FP32\", \"shape\": [1, 4], "
          + "\"data\": [1, 2, 3, 4]}]}").getBytes(StandardCharsets.US_ASCII);
      assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200); // the client's first use is slow
      List<RawHttp> bombs = new ArrayList<>();
      try {
        List<Long> answered = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
          RawHttp bomb = new RawHttp(f.server.port());
          bombs.add(bomb);
          bomb.response().whenComplete((r, e) -> answered.add(System.nanoTime()));
          bomb.write(RawHttp.post("/v2/models/add_sub/infer", heavy));
        }
        // The bodies are written (the server holds all but what the sockets buffer). Probe until every heavy
        // request is answered. One decoding thread takes them one after another, so the
        // time between two answers is what decoding one body takes; a loop that decoded them itself would keep a
        // probe waiting about that long, a free loop answers in a fraction of it.
        int probes = 0;
        long slowest = 0;
        while (bombs.stream().anyMatch(b -> !b.response().isDone())) {
          long start = System.nanoTime();
          assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
          slowest = Math.max(slowest, System.nanoTime() - start);
          probes++;
        }
        List<Long> times = answered.stream().sorted().toList();
        long decoding = Long.MAX_VALUE;
        for (int i = 1; i < times.size(); i++) {
          decoding = Math.min(decoding, times.get(i) - times.get(i - 1));
        }
        assertThat(slowest).as("slowest of %d probes %d ms; decoding one body %d ms", probes,
            TimeUnit.NANOSECONDS.toMillis(slowest), TimeUnit.NANOSECONDS.toMillis(decoding))
            .isLessThan(decoding / 2);
        for (RawHttp b : bombs) {
          String resp = b.response().get(120, TimeUnit.SECONDS);
          assertThat(RawHttp.status(resp)).as(resp).isEqualTo(400);
          assertThat(RawHttp.body(resp)).contains("more elements than its shape");
        }
      } finally {
        for (RawHttp b : bombs) {
          b.close();
        }
      }
    }
  }
}
