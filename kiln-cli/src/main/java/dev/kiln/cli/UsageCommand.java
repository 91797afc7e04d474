package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln usage}: requests, errors, rows and latency per key, model and day. */
@Command(name = "usage", description = "Usage per key, model and day (admins see every key, others their own).")
final class UsageCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Option(names = "--of-key", description = "Only this key id (admins; others always see their own).")
  String key;

  @Option(names = "--model")
  String model;

  @Option(names = "--from", description = "YYYY-MM-DD (default: 30 days ago).")
  String from;

  @Override
  public Integer call() {
    StringBuilder q = new StringBuilder();
    append(q, "key", key);
    append(q, "model", model);
    append(q, "from", from);
    JsonNode rows = server.client().get("/api/v1/usage" + q); // a refused call prints no table
    System.out.printf(
        "%-10s %-12s %-20s %9s %7s %9s %12s%n", "DAY", "KEY", "MODEL", "REQUESTS", "ERRORS", "ROWS", "MEAN MS");
    for (JsonNode r : rows) {
      long n = Math.max(1, r.path("requests").asLong());
      System.out.printf(
          "%-10s %-12s %-20s %9d %7d %9d %12.2f%n",
          r.path("day").asText(),
          r.path("key_id").asText(),
          r.path("model").asText(),
          r.path("requests").asLong(),
          r.path("errors").asLong(),
          r.path("rows").asLong(),
          r.path("latency_micros").asLong() / 1000.0 / n);
    }
    return 0;
  }

  static void append(StringBuilder q, String k, String v) {
    if (v != null) {
      q.append(q.isEmpty() ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    }
  }
}
