package dev.kiln.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ErrorBodies;
import dev.kiln.http.HttpSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standing hostile suite (issue 10, bad-inputs T3/T17): seeded mutations of valid Open Inference Protocol bodies, JSON
 * and binary-extension, against a real server. Every request must get a response: 200, or 4xx with {@code {"error":
 * "..."}} whose text leaks nothing ({@link ErrorBodies}); never a 5xx; and /v2/health/live stays 200 throughout.
 */
class OipRestFuzzTest {
  private static final int CASES = 3000;
  private static final int WORKERS = 4;
  private static final long SEED = 20261206L;
  private static final String[] TOKENS = {
    "-1",
    "0",
    "1",
    "-0",
    "1e309",
    "-1e309",
    "99999999999999999999",
    "4294967297",
    "9223372036854775808",
    "1.5",
    "null",
    "true",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "[[]]",
    "[1, [2]]",
    "\"FP32\"",
    "\"fp32\"",
    "\"BYTES\"",
    "\"BOOL\"",
    "\"INT64\"",
    "\"UINT64\"",
    "\"FP16\"",
    "\"BF16\"",
    "\"\\u0000\"",
    "\"../../etc/passwd\"",
    "[85000, 784]",
    "[1152921504606846978, 16]",
    "{\"binary_data_size\": 8}"
  };

  @TempDir static Path root;
  static RestFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new RestFixture(root, HttpSettings.defaults("127.0.0.1", 0).withMaxRequestBytes(1 << 20), false);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** A seed request: where it goes, its body, and its binary header length (null for plain JSON). */
  record Seed(String path, byte[] body, Integer headerLength) {}

  static List<Seed> seeds() {
    List<Seed> seeds = new ArrayList<>();
    seeds.add(
        json(
            "/v2/models/add_sub/infer",
            """
            {"id": "7", "inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
             {"name": "b", "datatype": "FP32", "shape": [1, 4], "data": [[1.5, 2.5, 3.5, 4.5]]}],
             "outputs": [{"name": "sum"}], "parameters": {"binary_data_output": false}}\
            """));
    seeds.add(
        json(
            "/v2/models/add_sub/infer",
            """
            {"inputs": [{"data": [1, 2, 3, 4], "shape": [1, 4], "datatype": "FP32", "name": "a"},
             {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [null, 2, 3, 4]}]}\
            """));
    seeds.add(
        json(
            "/v2/models/strings/infer",
            """
            {"inputs": [{"name": "input", "datatype": "BYTES", "shape": [1, 2], "data": ["hello", "kiln"]}]}\
            """));
    seeds.add(
        json(
            "/v2/models/half/infer",
            """
            {"inputs": [{"name": "input", "datatype": "FP16", "shape": [1, 2], "data": [0.5, 1]}]}\
            """));
    seeds.add(
        json(
            "/predict/add_sub",
            """
            {"instances": [{"a": [1, 2, 3, 4], "b": [4, 3, 2, 1]}, {"a": [0, 0, 0, 0], "b": [1, 1, 1, 1]}]}\
            """));
    seeds.add(
        binary(
            "/v2/models/mlp/infer",
            "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", "
                + "\"shape\": [1, 784], \"parameters\": {\"binary_data_size\": 3136}}], \"outputs\": [{\"name\": "
                + "\"logits\", \"parameters\": {\"binary_data\": true}}]}",
            new byte[3136]));
    ByteBuffer strings = ByteBuffer.allocate(4 + 5 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
    strings
        .putInt(5)
        .put("hello".getBytes(StandardCharsets.US_ASCII))
        .putInt(4)
        .put("kiln".getBytes(StandardCharsets.US_ASCII));
    seeds.add(
        binary(
            "/v2/models/strings/infer",
            "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"BYTES\", "
                + "\"shape\": [1, 2], \"parameters\": {\"binary_data_size\": 17}}]}",
            strings.array()));
    seeds.add(new Seed("/v2/models/mlp/infer", new byte[3136], 0)); // raw binary: header length 0
    return seeds;
  }

  private static Seed json(String path, String body) {
    return new Seed(path, body.getBytes(StandardCharsets.UTF_8), null);
  }

  private static Seed binary(String path, String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(h, h.length + data.length);
    System.arraycopy(data, 0, body, h.length, data.length);
    return new Seed(path, body, h.length);
  }

  @Test
  void mutatedBodiesGetAnAnswerNever5xxAndLeakNothing() throws Exception {
    List<Seed> seeds = seeds();
    for (Seed s : seeds) { // the seeds themselves are valid
      HttpResponse<byte[]> r = send(s.path(), s.body(), s.headerLength());
      assertThat(r.statusCode()).as(s.path() + ": " + text(r)).isEqualTo(200);
    }
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger liveProbes = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      int worker = w;
      workers.add(
          Thread.ofPlatform()
              .start(() -> {
                Random rnd = new Random(SEED + worker);
                for (int i = worker; i < CASES; i += WORKERS) {
                  Seed seed = seeds.get(rnd.nextInt(seeds.size()));
                  Seed m = mutate(seed, rnd);
                  String what =
                      "case " + i + " " + m.path() + " [" + abbreviate(m.body()) + "] header " + m.headerLength();
                  try {
                    HttpResponse<byte[]> r = send(m.path(), m.body(), m.headerLength());
                    statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    check(r, what).ifPresent(failures::add);
                    if (i % 100 == worker) {
                      liveProbes.incrementAndGet();
                      int live = f.get("/v2/health/live").statusCode();
                      if (live != 200) {
                        failures.add("health/live " + live + " after " + what);
                      }
                    }
                  } catch (IOException | InterruptedException e) {
                    failures.add("no response (" + e + ") to " + what);
                  } catch (RuntimeException e) {
                    failures.add("test error " + e + " in " + what);
                  }
                }
              }));
    }
    for (Thread t : workers) {
      t.join();
    }
    assertThat(failures).as("statuses %s", statuses).isEmpty();
    assertThat(liveProbes.get()).isGreaterThanOrEqualTo(CASES / 100);
    assertThat(statuses.keySet()).as("the mutations reach both outcomes").contains(200, 400);
    assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  private static java.util.Optional<String> check(HttpResponse<byte[]> r, String what) {
    int status = r.statusCode();
    String body = text(r);
    if (status == 200) {
      return java.util.Optional.empty();
    }
    if (status < 400 || status >= 500) {
      return java.util.Optional.of(status + " " + body + " for " + what);
    }
    try {
      JsonNode error = RestFixture.JSON.readTree(body).get("error");
      if (error == null || !error.isTextual() || error.asText().isEmpty()) {
        return java.util.Optional.of(status + " without {\"error\": \"...\"}: " + body + " for " + what);
      }
    } catch (IOException e) {
      return java.util.Optional.of(status + " body is not JSON: " + body + " for " + what);
    }
    List<String> leaks = ErrorBodies.leaks(body, root.toString());
    return leaks.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of("leak " + leaks + " in " + body + " for " + what);
  }

  private static HttpResponse<byte[]> send(String path, byte[] body, Integer headerLength)
      throws IOException, InterruptedException {
    Map<String, String> headers = new HashMap<>();
    headers.put("Content-Type", headerLength == null ? "application/json" : "application/octet-stream");
    if (headerLength != null) {
      headers.put("Inference-Header-Content-Length", Integer.toString(headerLength));
    }
    return f.post(path, body, headers);
  }

  /** One to three mutations: JSON-aware token swaps, byte edits, truncation, splices, header-length lies. */
  static Seed mutate(Seed seed, Random rnd) {
    byte[] body = seed.body();
    Integer header = seed.headerLength();
    int rounds = 1 + rnd.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      int jsonEnd = header == null ? body.length : Math.min(header, body.length);
      switch (rnd.nextInt(8)) {
        case 0, 1 -> body = swapToken(body, jsonEnd, rnd);
        case 2 -> body = flip(body, rnd);
        case 3 -> body = delete(body, rnd);
        case 4 -> body = insert(body, rnd);
        case 5 -> body = Arrays.copyOf(body, body.length == 0 ? 0 : rnd.nextInt(body.length));
        case 6 -> body = splice(body, rnd);
        default -> header = lieAboutHeader(header, body.length, rnd);
      }
    }
    return new Seed(seed.path(), body, header);
  }

  /** A header length that may be absent, off by one, past the body, or anywhere in it. */
  private static Integer lieAboutHeader(Integer header, int bodyLength, Random rnd) {
    if (header == null) {
      return rnd.nextBoolean() ? Integer.valueOf(rnd.nextInt(bodyLength + 1)) : null;
    }
    return switch (rnd.nextInt(4)) {
      case 0 -> header + 1;
      case 1 -> header - 1;
      case 2 -> bodyLength + rnd.nextInt(10);
      default -> rnd.nextInt(bodyLength + 1);
    };
  }

  private static final Pattern TOKEN =
      Pattern.compile("-?[0-9][0-9.eE+-]*|\"(?:[^\"\\\\]|\\\\.)*\"|null|true|false" + "|\\[[^\\[\\]{}]*\\]");

  private static byte[] swapToken(byte[] body, int jsonEnd, Random rnd) {
    String json = new String(body, 0, Math.max(0, jsonEnd), StandardCharsets.ISO_8859_1);
    List<int[]> spans = new ArrayList<>();
    Matcher m = TOKEN.matcher(json);
    while (m.find()) {
      spans.add(new int[] {m.start(), m.end()});
    }
    if (spans.isEmpty()) {
      return flip(body, rnd);
    }
    int[] span = spans.get(rnd.nextInt(spans.size()));
    byte[] token = TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(body, 0, span[0]);
    out.writeBytes(token);
    out.write(body, span[1], body.length - span[1]);
    return out.toByteArray();
  }

  private static byte[] flip(byte[] body, Random rnd) {
    if (body.length == 0) {
      return body;
    }
    byte[] b = body.clone();
    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
    return b;
  }

  private static byte[] delete(byte[] body, Random rnd) {
    if (body.length == 0) {
      return body;
    }
    int at = rnd.nextInt(body.length);
    int n = 1 + rnd.nextInt(Math.min(16, body.length - at));
    byte[] b = new byte[body.length - n];
    System.arraycopy(body, 0, b, 0, at);
    System.arraycopy(body, at + n, b, at, body.length - at - n);
    return b;
  }

  private static byte[] insert(byte[] body, Random rnd) {
    byte[] what =
        switch (rnd.nextInt(4)) {
          case 0 -> new byte[] {(byte) "{}[],:\"\\".charAt(rnd.nextInt(8))};
          case 1 -> "[".repeat(1 + rnd.nextInt(200)).getBytes(StandardCharsets.US_ASCII);
          case 2 -> new byte[] {(byte) rnd.nextInt(256)};
          default -> {
            byte[] x = new byte[1 + rnd.nextInt(8)];
            rnd.nextBytes(x);
            yield x;
          }
        };
    int at = rnd.nextInt(body.length + 1);
    byte[] b = new byte[body.length + what.length];
    System.arraycopy(body, 0, b, 0, at);
    System.arraycopy(what, 0, b, at, what.length);
    System.arraycopy(body, at, b, at + what.length, body.length - at);
    return b;
  }

  /** Repeats a slice of the body in place: duplicated inputs, fields, elements. */
  private static byte[] splice(byte[] body, Random rnd) {
    if (body.length < 2) {
      return body;
    }
    int from = rnd.nextInt(body.length - 1);
    int to = from + 1 + rnd.nextInt(Math.min(256, body.length - from - 1) + 1) - 1;
    to = Math.min(Math.max(to, from + 1), body.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(body, 0, to);
    out.write(body, from, to - from);
    out.write(body, to, body.length - to);
    return out.toByteArray();
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private static String abbreviate(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
    return b.length > 300 ? s + "...(" + b.length + " bytes)" : s;
  }
}
