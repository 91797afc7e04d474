package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.http.ErrorBodies;
import dev.kiln.http.Router;
import dev.kiln.onnx.ExampleModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad-inputs T1: every live HTTP route under eight methods, each request line and header block mutated (seeded, so a
 * failure replays), sent over raw sockets to a governed server. Every connection must get an HTTP response that is not
 * a 5xx, no error body may carry internals, and {@code /v2/health/live} answers 200 throughout. The count per route and
 * method is {@code -Dkiln.fuzz.mutations} (default 8: a few thousand requests, seconds); the slow suite runs it with
 * thousands. {@code -Dkiln.fuzz.seed} picks another seeded set.
 */
class HttpFuzzTest {
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE");
  private static final int MUTATIONS = Integer.getInteger("kiln.fuzz.mutations", 8);
  private static final long SEED = Long.getLong("kiln.fuzz.seed", 20261206);

  @TempDir Path repo;
  @TempDir Path data;
  private Kiln kiln;

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  @Test
  void mutatedRequestLinesAndHeadersOnEveryRouteGetAResponseAndNever5xx() throws Exception {
    ExampleModels.write(repo, "mlp", 1, ExampleModels.Mlp.random(784, 16, 10, 1).onnx());
    ExampleModels.write(repo, "add_sub", 1, ExampleModels.addSub());
    Path masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey)));
    String admin = kiln.bootstrapToken().orElseThrow();
    List<byte[]> requests = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(SEED);
    for (Router.Route route : kiln.http().routes()) {
      String path = GovernanceServerTest.example(route);
      for (String method : METHODS) {
        for (int i = 0; i < MUTATIONS; i++) {
          requests.add(mutate(base(method, path, admin), random));
        }
      }
    }
    assertThat(requests).hasSizeGreaterThan(2_000);

    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger liveFailures = new AtomicInteger();
    AtomicInteger liveChecks = new AtomicInteger();
    Thread prober = Thread.ofPlatform().daemon().start(() -> probeLive(done, liveChecks, liveFailures));
    Map<String, String> failures = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> sent = new ArrayList<>();
      for (byte[] request : requests) {
        sent.add(
            pool.submit(() -> {
              String outcome = send(request);
              if (outcome == null) {
                answered.incrementAndGet();
              } else {
                failures.putIfAbsent(outcome, printable(request));
              }
              return null;
            }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      done.set(true);
      prober.join();
    }
    assertThat(failures).as("outcome → first request that produced it").isEmpty();
    assertThat(answered.get()).isEqualTo(requests.size());
    assertThat(liveChecks.get()).isPositive();
    assertThat(liveFailures.get()).isZero();
  }

  private String base(String method, String path, String admin) {
    String body = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}";
    return method
        + " "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + admin
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  /**
   * One mutation of the head (request line and headers) or its framing. Framing mutations keep the body consistent with
   * what the head declares, so the server never legitimately waits for bytes that will not come.
   */
  static byte[] mutate(String request, SplittableRandom r) {
    int headEnd = request.indexOf("\r\n\r\n");
    String head = request.substring(0, headEnd);
    String body = request.substring(headEnd + 4);
    String junk = junk(r);
    String mutated =
        switch (r.nextInt(14)) {
          case 0 -> sameLength(flip(head, r), head) + "\r\n\r\n" + body;
          case 1 -> insert(head, junk, r) + "\r\n\r\n" + body;
          case 2 ->
              head.replaceFirst(" HTTP/1.1", " " + pick(r, "HTTP/9.9", "HTTX/1.1", "HTTP/1.1x", "HTTP/1", ""))
                  + "\r\n\r\n"
                  + body;
          case 3 -> head.replaceFirst(" /", " /" + "a".repeat(r.nextInt(7_000, 12_000)) + "/") + "\r\n\r\n" + body;
          case 4 ->
              head.replaceFirst(
                      " /",
                      " /"
                          + pick(
                              r,
                              "%zz",
                              "%00",
                              "%2e%2e/%2e%2e/",
                              "..%2f..%2f",
                              "//proc/self/",
                              "%",
                              "#frag/",
                              "?a=%ff&b=\u00e9",
                              ";x=y/"))
                  + "\r\n\r\n"
                  + body;
          case 5 ->
              head
                  + "\r\n"
                  + pick(r, "X-Bad", "Bad Header", "Host", "Authorization", ":")
                  + ": "
                  + junk
                  + "\r\n\r\n"
                  + body;
          case 6 -> head + "\r\nNoColonHere\r\n\r\n" + body;
          case 7 -> head + "\r\n folded continuation\r\n\r\n" + body;
          case 8 ->
              head.replaceFirst(
                      "Content-Length: \\d+",
                      "Content-Length: " + pick(r, "-1", "abc", "99999999999999999999", "1, 2", "0x10"))
                  + "\r\n\r\n"
                  + body;
          case 9 -> head + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
          case 10 ->
              head.replaceFirst("Content-Length: \\d+", "Transfer-Encoding: chunked")
                  + "\r\n\r\n"
                  + pick(
                      r,
                      "zz\r\nab\r\n0\r\n\r\n",
                      "-1\r\n\r\n",
                      "ffffffffffffffffff\r\n",
                      "2;" + "x".repeat(9_000) + "\r\nab\r\n0\r\n\r\n",
                      "1\r\na\r\n0\r\nBad Trailer\r\n\r\n");
          case 11 ->
              head.replaceFirst(
                      "Content-Length: \\d+",
                      "Transfer-Encoding: " + pick(r, "gzip", "chunked, gzip", "identity", "xchunked"))
                  + "\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body;
          case 12 ->
              head
                  + "\r\nContent-Encoding: "
                  + pick(r, "gzip", "deflate", "br", "x-unknown", "gzip, gzip")
                  + "\r\n\r\n"
                  + body;
          default ->
              head.replaceFirst("^[A-Z]+", pick(r, "GXT", "get", "", "POST POST", "\u00c9T", "CONNECT"))
                  + "\r\n\r\n"
                  + body;
        };
    return mutated.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String junk(SplittableRandom r) {
    StringBuilder s = new StringBuilder();
    int n = r.nextInt(1, 24);
    for (int i = 0; i < n; i++) {
      s.append((char) (r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(0x20, 0x7f)));
    }
    return s.toString();
  }

  private static String flip(String s, SplittableRandom r) {
    char[] c = s.toCharArray();
    int i = r.nextInt(c.length);
    c[i] = (char) ((c[i] ^ (1 << r.nextInt(8))) & 0xff);
    return new String(c);
  }

  /**
   * {@code flipped}, unless the flip turned the declared Content-Length into another number (75 into 77): the server
   * would then rightly wait for bytes that never come, which is not what a flip is meant to test.
   */
  private static String sameLength(String flipped, String head) {
    Matcher was = CONTENT_LENGTH.matcher(head);
    Matcher now = CONTENT_LENGTH.matcher(flipped);
    boolean changed = was.find() && now.find() && !was.group(1).equals(now.group(1));
    return changed ? head : flipped;
  }

  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?m)^Content-Length: ([0-9]+)$");

  private static String insert(String s, String what, SplittableRandom r) {
    int i = r.nextInt(s.length());
    return s.substring(0, i) + what + s.substring(i);
  }

  private static String pick(SplittableRandom r, String... options) {
    return options[r.nextInt(options.length)];
  }

  /** Sends one raw request; returns null when it got a non-5xx response with a clean body, else what went wrong. */
  private String send(byte[] request) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", kiln.httpPort()), 5_000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1).equals("HEAD ");
      String response = readResponse(s.getInputStream(), head);
      if (response.isEmpty()) {
        return "closed without a response";
      }
      String statusLine = response.lines().findFirst().orElse("");
      if (!statusLine.matches("HTTP/1\\.[01] \\d{3}.*")) {
        return "not an HTTP response: " + statusLine;
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      if (status >= 500) {
        return "status " + status;
      }
      int bodyStart = response.indexOf("\r\n\r\n");
      String body = bodyStart < 0 ? "" : response.substring(bodyStart + 4);
      if (status >= 400 && !ErrorBodies.leaks(body).isEmpty()) {
        return "internals in a " + status + " body: " + ErrorBodies.leaks(body) + " in " + body;
      }
      return null;
    } catch (SocketTimeoutException e) {
      return "no response within 15 s";
    } catch (IOException e) {
      return "connection failed: " + e.getMessage();
    }
  }

  /**
   * Reads until the server closes or a whole response has arrived: the head alone for a HEAD request, else the head
   * plus Content-Length bytes or a chunked body up to its last chunk.
   */
  private static String readResponse(InputStream in, boolean headRequest) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (true) {
      int n;
      try {
        n = in.read(buf);
      } catch (IOException e) {
        if (got.size() > 0) {
          break; // a reset after the response was sent still counts as answered
        }
        throw e;
      }
      if (n < 0) {
        break;
      }
      got.write(buf, 0, n);
      String text = got.toString(StandardCharsets.ISO_8859_1);
      int headEnd = text.indexOf("\r\n\r\n");
      if (headEnd >= 0 && !text.startsWith("HTTP/1.1 1")) {
        String headers = text.substring(0, headEnd);
        if (headRequest) {
          break;
        }
        if (Pattern.compile("(?im)^transfer-encoding:\\s*chunked").matcher(headers).find()) {
          if (text.endsWith("0\r\n\r\n")) {
            break;
          }
          continue;
        }
        var length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, headEnd));
        if (length.find() && text.length() >= headEnd + 4 + Integer.parseInt(length.group(1))) {
          break;
        }
      }
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  private void probeLive(AtomicBoolean done, AtomicInteger checks, AtomicInteger failures) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest live =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/health/live"))
            .timeout(Duration.ofSeconds(10))
            .build();
    while (!done.get()) {
      try {
        if (client.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
          failures.incrementAndGet();
        }
      } catch (IOException | InterruptedException e) {
        failures.incrementAndGet();
      }
      checks.incrementAndGet();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String printable(byte[] request) {
    String s = new String(request, StandardCharsets.ISO_8859_1);
    s = s.length() > 300 ? s.substring(0, 300) + "…" : s;
    return s.replace("\r", "\\r").replace("\n", "\\n");
  }
}
