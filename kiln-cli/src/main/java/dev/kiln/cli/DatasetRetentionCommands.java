package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln datasets delete NAME@VERSION} and {@code kiln datasets retention NAME PERIOD|none}. */
final class DatasetRetentionCommands {
  private DatasetRetentionCommands() {}

  /** The version part of {@code NAME@VERSION}, checked here as the server would. */
  static int version(String text) {
    if (!text.matches("[1-9][0-9]{0,8}")) {
      throw new KilnClient.CallFailed("version: '" + text + "' (expected: NAME@VERSION, e.g. sales@3)");
    }
    return Integer.parseInt(text);
  }

  @Command(
      name = "delete",
      description =
          "Deletes a dataset version and every byte made from it (its jobs' splits, checkpoints and models),"
              + " leaving a tombstone in their lineage. Refused while a job on it is queued or running, and while"
              + " models trained on it are served unless --force (they keep serving).")
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", paramLabel = "NAME@VERSION")
    String dataset;

    @Option(names = "--force", description = "Delete even though models trained on it are served.")
    boolean force;

    @Option(names = "--reason", description = "Why, kept in the tombstone.")
    String reason;

    @Override
    public Integer call() {
      int at = dataset.indexOf('@');
      if (at < 0) {
        throw new KilnClient.CallFailed("name a version: NAME@VERSION (e.g. " + dataset + "@1)");
      }
      String query = force ? "?force=true" : "";
      if (reason != null) {
        query += (query.isEmpty() ? "?" : "&") + "reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8);
      }
      String name = dataset.substring(0, at);
      int version = version(dataset.substring(at + 1));
      JsonNode r = server.client().delete("/api/v1/datasets/" + name + "/versions/" + version + query);
      System.out.printf(
          "deleted dataset %s version %d (sha256 %s); files of jobs %s deleted%s%n",
          name,
          version,
          r.path("sha256").asText(),
          r.path("jobs"),
          r.path("models").isEmpty() ? "" : "; models " + r.path("models") + " keep serving");
      return 0;
    }
  }

  @Command(
      name = "retention",
      description =
          "Sets how long a dataset's versions are kept (30d, 12h, 90m) or none; older versions are deleted by"
              + " every replica's sweeper, as by delete --force (with a database).")
  static final class Retention implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "PERIOD|none")
    String period;

    @Override
    public Integer call() {
      String body = period.equals("none") ? "{\"retention\":null}" : "{\"retention\":\"" + period + "\"}";
      if (!period.matches("none|[0-9]{1,9}[smhd]")) {
        throw new KilnClient.CallFailed("retention: '" + period + "' (expected: 30d, 12h, 90m, 45s or none)");
      }
      JsonNode r = server.client().patch("/api/v1/datasets/" + name, body.getBytes(StandardCharsets.UTF_8));
      System.out.println(
          "dataset "
              + name
              + ": "
              + (r.hasNonNull("retention") ? "versions kept " + r.get("retention").asText() : "kept for ever"));
      return 0;
    }
  }
}
