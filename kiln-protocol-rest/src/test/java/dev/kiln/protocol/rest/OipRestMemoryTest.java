package dev.kiln.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.http.HttpSettings;
import dev.kiln.http.RawHttp;
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
import java.util.concurrent.locks.LockSupport;
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
   * The bomb of issue 10: FP64 [85000, 784] (533 MB) with one value, padded with spaces to just under the 64 MiB limit,
   * sent as about 64 KiB of gzip.
   */
  static byte[] shapeBomb() throws Exception {
    String head =
        "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP64\", \"shape\": [85000, 784], " + "\"data\": [1]}]";
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
      BufferPoolMXBean direct =
          ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
              .filter(b -> b.getName().equals("direct"))
              .findFirst()
              .orElseThrow();
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long heapBefore = allocated(threads, "");
      long decodeBefore = allocated(threads, "kiln-http-decode-");
      long directBefore = direct.getMemoryUsed();
      // Direct buffers are freed only after a GC, but a peak can be missed: sample it while the request runs.
      AtomicLong directPeak = new AtomicLong(directBefore);
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          Thread.ofPlatform()
              .start(() -> {
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
      assertThat(allocated(threads, "kiln-http-decode-") - decodeBefore)
          .as("heap bytes allocated decoding")
          .isLessThan(LIMIT / 8);
      assertThat(allocated(threads, "") - heapBefore).as("heap bytes allocated by the server").isLessThan(2L * LIMIT);
    }
  }

  /**
   * A valid body at the limit, sent gzipped: 8 MiB of {@code 0,} for add_sub (4M FP32 values). The server may take the
   * body, the tensors (twice the body here, off-heap) and what the model computes; before decoding streamed it built a
   * tree of JSON nodes besides, several times the body.
   */
  @Test
  void aValidBodyAtTheLimitTakesItsBodyAndItsTensor(@TempDir Path root) throws Exception {
    int limit = 8 << 20;
    try (RestFixture f =
        new RestFixture(root, HttpSettings.defaults("127.0.0.1", 0).withMaxRequestBytes(limit), false)) {
      int rows = (limit - 400) / 2 / 2 / 4;
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
        for (String name : new String[] {"a", "b"}) {
          gz.write(
              ((name.equals("a") ? "{\"inputs\": [" : ", ")
                      + "{\"name\": \""
                      + name
                      + "\", \"datatype\": "
                      + "\"FP32\", \"shape\": ["
                      + rows
                      + ", 4], \"data\": [0")
                  .getBytes(StandardCharsets.US_ASCII));
          byte[] zeros = ",0,0,0,0".getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < rows; i++) {
            gz.write(zeros, 0, i == 0 ? zeros.length - 2 : zeros.length);
          }
          gz.write("]}".getBytes(StandardCharsets.US_ASCII));
        }
        gz.write("], \"parameters\": {\"binary_data_output\": true}}".getBytes(StandardCharsets.US_ASCII));
      }
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = allocated(threads, "");
      long decodeBefore = allocated(threads, "kiln-http-decode-");
      HttpResponse<byte[]> r =
          f.post("/v2/models/add_sub/infer", zipped.toByteArray(), Map.of("Content-Encoding", "gzip"));
      assertThat(r.statusCode()).as(new String(r.body(), 0, Math.min(300, r.body().length))).isEqualTo(200);
      // Decoding streams: a fraction of the body. Inflating it on the event loop costs about 4 times the body in
      // Netty's growing buffers (measured: 36 MB for 8 MiB; with the JSON tree it was 102 MB).
      assertThat(allocated(threads, "kiln-http-decode-") - decodeBefore)
          .as("heap bytes allocated decoding")
          .isLessThan(limit / 4);
      assertThat(allocated(threads, "") - before)
          .as("heap bytes allocated by the server's HTTP threads")
          .isLessThan(6L * limit);
    }
  }

  /** Whether a stack is inside the decoding of an inference body. */
  private static boolean decoding(StackTraceElement[] stack) {
    for (StackTraceElement e : stack) {
      String c = e.getClassName();
      if (c.endsWith(".InferRequestReader")
          || c.endsWith(".JsonTensorReader")
          || c.endsWith(".JsonTensors")
          || c.endsWith(".OipCodec") && e.getMethodName().equals("decode")) {
        return true;
      }
    }
    return false;
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
   * Bodies that parse for a long time (millions of numbers, one too many for their shape) keep a decoding thread busy;
   * the event loop (one here) must go on answering /v2/health/live meanwhile. Proved by sampling the threads' stacks
   * while the heavy requests are in flight: the event loop is never caught decoding, a decoding thread is, and every
   * probe sent meanwhile is answered 200.
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
      byte[] heavy =
          ("{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": ["
                  + rows
                  + ", 4], "
                  + "\"data\": ["
                  + data
                  + "]}, {\"name\": \"b\", \"datatype\": \"FP32\", \"shape\": [1, 4], "
                  + "\"data\": [1, 2, 3, 4]}]}")
              .getBytes(StandardCharsets.US_ASCII);
      assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200); // the client's first use is slow
      List<RawHttp> bombs = new ArrayList<>();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Map<String, AtomicLong> decodingSeen = new java.util.concurrent.ConcurrentHashMap<>();
      Thread sampler =
          Thread.ofPlatform()
              .start(() -> {
                java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                while (sampling.get()) {
                  for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds(), 64)) {
                    if (t != null && decoding(t.getStackTrace())) {
                      String pool = t.getThreadName().replaceAll("-[0-9]+$", "");
                      decodingSeen.computeIfAbsent(pool, k -> new AtomicLong()).incrementAndGet();
                    }
                  }
                  LockSupport.parkNanos(2_000_000);
                }
              });
      try {
        for (int i = 0; i < 4; i++) {
          RawHttp bomb = new RawHttp(f.server.port());
          bombs.add(bomb);
          Thread.ofVirtual().start(() -> bomb.write(RawHttp.post("/v2/models/add_sub/infer", heavy)));
        }
        int probes = 0;
        while (bombs.stream().anyMatch(b -> !b.response().isDone())) {
          assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
          probes++;
        }
        sampling.set(false);
        sampler.join();
        assertThat(decodingSeen.keySet())
            .as("threads caught decoding (samples %s) around %d probes", decodingSeen, probes)
            .containsExactly("kiln-http-decode");
        for (RawHttp b : bombs) {
          String resp = b.response().get(120, TimeUnit.SECONDS);
          assertThat(RawHttp.status(resp)).as(resp).isEqualTo(400);
          assertThat(RawHttp.body(resp)).contains("more elements than its shape");
        }
      } finally {
        sampling.set(false);
        for (RawHttp b : bombs) {
          b.close();
        }
      }
    }
  }
}
