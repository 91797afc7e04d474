package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.onnx.ExampleModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Clients that call {@code /v2/models/<model>/infer} over HTTP in a loop until stopped, each request with its own input
 * row, and record for every call when it was sent and answered, its status, the version that answered and whether the
 * numbers are that version's answer for that row. Tests judge the record, so a reload or unload can be shown to have
 * happened while calls were in flight, not just that no status was bad.
 */
final class LoadClients implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One call: {@code sent} and {@code answered} in {@link System#nanoTime()}; {@code version} the answering version (""
   * when not 200); {@code detail}: for a 200, what was wrong with its numbers ("" if they are right), otherwise the
   * error text of the body (or the exception, status -1).
   */
  record Call(int client, long sent, long answered, int status, String version, String detail) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  /** Starts {@code n} clients against {@code model}; {@code versions} maps each version to the model it serves. */
  LoadClients(int port, String model, int n, Map<String, ExampleModels.Mlp> versions) {
    for (int c = 0; c < n; c++) {
      int client = c;
      threads.add(
          Thread.ofPlatform()
              .name("load-client-" + c)
              .start(() -> {
                for (long seq = 0; !stop.get(); seq++) {
                  float[] x = ExampleModels.Mlp.randomRow(784, client * 1_000_000L + seq); // a row of its own per call
                  calls.add(call(port, model, client, x, versions));
                }
              }));
    }
  }

  private Call call(int port, String model, int client, float[] x, Map<String, ExampleModels.Mlp> versions) {
    long sent = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString(KilnServerTest.request(x)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        return new Call(client, sent, answered, r.statusCode(), "", body.path("error").asText());
      }
      String version = body.path("model_version").asText();
      ExampleModels.Mlp mlp = versions.get(version);
      return new Call(
          client,
          sent,
          answered,
          200,
          version,
          mlp == null
              ? "unknown version " + version
              : mismatch(KilnServerTest.floats(body.at("/outputs/0/data")), mlp.predict(x)));
    } catch (Exception e) {
      return new Call(client, sent, System.nanoTime(), -1, "", e.toString());
    }
  }

  private static String mismatch(float[] got, float[] expected) {
    if (got.length != expected.length) {
      return "got " + got.length + " logits";
    }
    for (int i = 0; i < got.length; i++) {
      if (Math.abs(got[i] - expected[i]) > 1e-4f) {
        return "logit " + i + ": " + got[i] + " (expected: " + expected[i] + ")";
      }
    }
    return "";
  }

  /** Every call recorded so far. */
  List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Waits (at most 30 s) until every client has made a call that {@code test} accepts. */
  void awaitEach(Predicate<Call> test) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (calls.stream().filter(test).mapToInt(Call::client).distinct().count() < threads.size()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not every client made such a call within 30 s; calls: " + calls.size());
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
  }
}
