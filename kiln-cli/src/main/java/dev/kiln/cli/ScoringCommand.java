package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln scoring submit|list|show|watch|cancel|download}: batch-scoring jobs run inside the server. */
@Command(
    name = "scoring",
    description = "Batch scoring in the server: score a stored dataset with a served model, resumable after a crash.",
    subcommands = {
      ScoringCommand.Submit.class,
      ScoringCommand.ListJobs.class,
      ScoringCommand.Show.class,
      ScoringCommand.Watch.class,
      ScoringCommand.Cancel.class,
      ScoringCommand.Download.class
    })
final class ScoringCommand {
  private static final String JOBS = "/api/v1/scoring-jobs";

  @Command(name = "submit", description = "Queue a job; --watch follows it to the end.")
  static final class Submit implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Option(names = "--model", required = true, description = "NAME, NAME@ALIAS or NAME:VERSION")
    String model;

    @Option(names = "--dataset", required = true, description = "A stored dataset: NAME or NAME@VERSION")
    String dataset;

    @Option(names = "--batch-size", description = "Rows per inference request (default: the model's or the server's)")
    Integer batchSize;

    @Option(names = "--id-column", description = "A column that names the rows in the output (default: row index)")
    String idColumn;

    @Option(names = "--watch", description = "Follow the job until it ends")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = ApiJson.MAPPER.createObjectNode().put("model", model).put("dataset", dataset);
      if (batchSize != null) {
        body.put("batch_size", batchSize);
      }
      if (idColumn != null) {
        body.put("id_column", idColumn);
      }
      KilnClient client = server.client();
      JsonNode job = client.post(JOBS, ApiJson.write(body), "application/json");
      long id = job.path("id").asLong();
      System.out.println(
          "scoring job "
              + id
              + " queued ("
              + job.at("/request/dataset").asText()
              + " v"
              + job.at("/request/dataset_version").asInt()
              + ", batches of "
              + job.at("/request/batch_size").asInt()
              + ")");
      return watch ? exit(follow(client, id)) : 0;
    }
  }

  @Command(name = "list", description = "Scoring jobs, newest first (your own; every job for an admin).")
  static final class ListJobs implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      JsonNode jobs = server.client().get(JOBS + "?limit=" + limit);
      System.out.printf("%5s %-10s %-24s %-20s %19s %10s%n", "ID", "STATE", "MODEL", "DATASET", "ROWS", "ROWS/S");
      for (JsonNode j : jobs) {
        System.out.printf(
            Locale.ROOT,
            "%5d %-10s %-24s %-20s %19s %10.0f%n",
            j.path("id").asLong(),
            j.path("state").asText(),
            j.at("/request/model").asText(),
            j.at("/request/dataset").asText() + " v" + j.at("/request/dataset_version").asInt(),
            j.path("rows_done").asLong() + "/" + j.path("rows_total").asLong(),
            j.path("rows_per_second").asDouble());
      }
      return 0;
    }
  }

  @Command(name = "show", description = "A scoring job: state, rows, rows/s, times, error.")
  static final class Show extends IdCommand {
    @Override
    public Integer call() {
      print(server.client().get(JOBS + "/" + id));
      return 0;
    }
  }

  @Command(name = "watch", description = "Follow a scoring job until it ends; exit status 1 unless it succeeds.")
  static final class Watch extends IdCommand {
    @Override
    public Integer call() throws Exception {
      return exit(follow(server.client(), id));
    }
  }

  @Command(name = "cancel", description = "Cancel a job: a queued one at once, a running one at its next batch.")
  static final class Cancel extends IdCommand {
    @Override
    public Integer call() {
      JsonNode j = server.client().post(JOBS + "/" + id + "/cancel", new byte[0], "application/json");
      System.out.println(
          "scoring job "
              + id
              + " "
              + j.path("state").asText().toLowerCase(Locale.ROOT)
              + (j.path("cancel_requested").asBoolean() && !j.path("state").asText().equals("CANCELLED")
                  ? " (stops at its next batch)"
                  : ""));
      return 0;
    }
  }

  @Command(name = "download", description = "Save a finished job's predictions (CSV), streamed to a file.")
  static final class Download implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", description = "The job's id")
    long id;

    @Option(
        names = {"-o", "--output"},
        required = true,
        description = "Where to write the CSV")
    Path output;

    @Override
    public Integer call() {
      long bytes = server.client().download(JOBS + "/" + id + "/output", output);
      System.out.println("wrote " + output + " (" + bytes + " bytes)");
      return 0;
    }
  }

  /** Polls the job twice a second, drawing its progress on one line on a terminal, until it ends. */
  static JsonNode follow(KilnClient client, long id) throws InterruptedException {
    boolean terminal = System.console() != null;
    long shown = -1;
    while (true) {
      JsonNode j = client.get(JOBS + "/" + id);
      long done = j.path("rows_done").asLong();
      String state = j.path("state").asText();
      if (done != shown || !state.matches("QUEUED|RUNNING")) {
        long total = Math.max(1, j.path("rows_total").asLong());
        String line =
            String.format(
                Locale.ROOT,
                "%-9s %s %d/%d rows (%.0f%%) %.0f rows/s",
                state.toLowerCase(Locale.ROOT),
                bar(done, total),
                done,
                j.path("rows_total").asLong(),
                100.0 * done / total,
                j.path("rows_per_second").asDouble());
        System.out.print(terminal ? "\r" + line : line + "\n");
        shown = done;
      }
      if (!state.matches("QUEUED|RUNNING")) {
        if (terminal) {
          System.out.println();
        }
        if (j.hasNonNull("error")) {
          System.out.println("error: " + j.get("error").asText());
        }
        return j;
      }
      Thread.sleep(500);
    }
  }

  private static String bar(long done, long total) {
    int width = 30;
    int filled = (int) Math.min(width, width * done / total);
    return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "]";
  }

  private static int exit(JsonNode job) {
    return job.path("state").asText().equals("SUCCEEDED") ? 0 : 1;
  }

  private static void print(JsonNode j) {
    System.out.printf(
        "scoring job %d  %s%s%n",
        j.path("id").asLong(), j.path("state").asText(), j.hasNonNull("error") ? ": " + j.get("error").asText() : "");
    System.out.printf(
        "model %s on dataset %s v%d, batches of %d%s%n",
        j.at("/request/model").asText(),
        j.at("/request/dataset").asText(),
        j.at("/request/dataset_version").asInt(),
        j.at("/request/batch_size").asInt(),
        j.at("/request/id_column").isTextual() ? ", rows named by " + j.at("/request/id_column").asText() : "");
    System.out.printf(
        Locale.ROOT,
        "rows %d/%d in %d parts, %.0f rows/s, runs %d%n",
        j.path("rows_done").asLong(),
        j.path("rows_total").asLong(),
        j.path("parts").asInt(),
        j.path("rows_per_second").asDouble(),
        j.path("runs").asInt());
    System.out.printf(
        "created %s, started %s, finished %s%n",
        j.path("created").asText(), j.path("started").asText("-"), j.path("finished").asText("-"));
  }
}
