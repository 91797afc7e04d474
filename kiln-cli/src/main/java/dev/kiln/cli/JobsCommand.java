package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import dev.kiln.training.eval.ClassificationReport;
import dev.kiln.training.eval.RegressionReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kiln jobs list|show|watch|cancel|splits}. */
@Command(
    name = "jobs",
    description = "Training jobs: list, show (metrics, confusion matrix, lineage), watch, cancel, splits.",
    subcommands = {
      JobsCommand.ListJobs.class,
      JobsCommand.Show.class,
      JobsCommand.Watch.class,
      JobsCommand.Cancel.class,
      JobsSplitsCommand.class,
      JobsExportCommand.class
    })
final class JobsCommand {
  @Command(name = "list", description = "Jobs, newest first.")
  static final class ListJobs implements Callable<Integer> {
    /** The most jobs the server answers per call. */
    private static final int PAGE = 1000;

    @Mixin ClientOptions server;

    @Override
    public Integer call() {
      List<JsonNode> jobs = all(server.client()); // a refused call prints no table
      System.out.printf(
          "%5s %-10s %-20s %7s %9s  %-14s %s%n", "ID", "STATE", "DATASET", "EPOCHS", "TEST", "TRIAL", "CREATED");
      for (JsonNode j : jobs) {
        System.out.printf(
            "%5d %-10s %-20s %7s %9s  %-14s %s%n",
            j.path("id").asLong(),
            j.path("state").asText(),
            j.at("/request/dataset").asText() + " v" + j.at("/request/dataset_version").asInt(),
            j.path("history").size() + "/" + epochs(j),
            score(j.path("evaluation")),
            trial(j),
            j.path("created").asText());
      }
      return 0;
    }

    /** Every job, a page at a time: the server answers at most {@value #PAGE} per call. */
    static List<JsonNode> all(KilnClient client) {
      List<JsonNode> jobs = new ArrayList<>();
      while (true) {
        JsonNode page = client.get("/api/v1/jobs?limit=" + PAGE + "&offset=" + jobs.size());
        page.forEach(jobs::add);
        if (page.size() < PAGE) {
          return jobs;
        }
      }
    }
  }

  @Command(name = "show", description = "A job: state, history, test metrics, confusion matrix and lineage.")
  static final class Show extends IdCommand {
    @Override
    public Integer call() throws Exception {
      JsonNode j = server.client().get("/api/v1/jobs/" + id);
      System.out.printf(
          "job %d  %s%s%n", id, j.path("state").asText(), j.hasNonNull("error") ? ": " + j.get("error").asText() : "");
      System.out.printf(
          "dataset %s v%d, created %s, started %s, finished %s%n",
          j.at("/request/dataset").asText(),
          j.at("/request/dataset_version").asInt(),
          j.path("created").asText(),
          j.path("started").asText("-"),
          j.path("finished").asText("-"));
      if (j.has("sweep")) {
        System.out.printf(
            "trial %d of sweep %d: %s%n",
            j.at("/sweep/trial").asInt(), j.at("/sweep/id").asLong(), j.at("/sweep/settings"));
      }
      ProgressBar bar = new ProgressBar(System.out, false);
      for (JsonNode e : j.path("history")) {
        bar.epoch(e);
      }
      printEvaluation(j);
      JsonNode l = j.path("lineage");
      if (!l.isMissingNode()) {
        System.out.printf(
            "%nlineage: dataset %s v%d (sha256 %s), engine %s, %d epochs (best %d%s) in %.1f s%n",
            l.at("/dataset/name").asText(),
            l.at("/dataset/version").asInt(),
            l.at("/dataset/sha256").asText(),
            l.path("engine").asText(),
            l.path("epochs_trained").asInt(),
            l.path("best_epoch").asInt(),
            l.path("stopped_early").asBoolean() ? ", stopped early" : "",
            l.path("duration_seconds").asDouble());
        System.out.printf(
            "model: %d bytes, sha256 %s%n", l.path("artifact_bytes").asLong(), l.path("artifact_sha256").asText());
        System.out.println("spec:\n  " + ApiJson.MAPPER.writeValueAsString(l.path("spec")));
      }
      for (JsonNode d : j.path("deployments")) {
        System.out.printf(
            "deployed as %s version %s at %s%n",
            d.path("model").asText(), d.path("version").asText(), d.path("at").asText());
      }
      return 0;
    }
  }

  @Command(name = "watch", description = "Follow a job's progress until it ends.")
  static final class Watch extends IdCommand {
    @Override
    public Integer call() {
      return follow(server.client(), id).path("state").asText().equals("SUCCEEDED") ? 0 : 1;
    }
  }

  @Command(name = "cancel", description = "Cancel a queued or running job.")
  static final class Cancel extends IdCommand {
    @Override
    public Integer call() {
      JsonNode j = server.client().post("/api/v1/jobs/" + id + "/cancel", new byte[0], "application/json");
      System.out.println(
          "job "
              + id
              + ": "
              + (j.path("state").asText().equals("RUNNING")
                  ? "cancel requested; it stops at its next step"
                  : j.path("state").asText().toLowerCase(Locale.ROOT)));
      return 0;
    }
  }

  /** Draws the job's progress until it ends; returns the final job. */
  static JsonNode follow(KilnClient client, long id) {
    ProgressBar bar = new ProgressBar(System.out, System.console() != null);
    JsonNode[] last = new JsonNode[1];
    client.events(
        id,
        (event, data) -> {
          switch (event) {
            case "step" -> bar.step(data);
            case "epoch" -> bar.epoch(data);
            case "resumed" -> bar.message("resumed from the checkpoint at epoch " + (data.path("epoch").asInt() - 1));
            case "state" -> last[0] = data;
            default -> {}
          }
          return true;
        });
    if (last[0] == null) {
      last[0] = client.get("/api/v1/jobs/" + id);
    }
    String state = last[0].path("state").asText();
    bar.message(
        "job "
            + id
            + " "
            + state.toLowerCase(Locale.ROOT)
            + (last[0].hasNonNull("error") ? ": " + last[0].get("error").asText() : ""));
    return last[0];
  }

  /** How many of the most important columns {@code jobs show} lists. */
  private static final int IMPORTANCE_ROWS = 10;

  static void printEvaluation(JsonNode job) throws IOException {
    JsonNode e = job.path("evaluation");
    if (e.isMissingNode() || e.isNull()) {
      return;
    }
    System.out.println();
    System.out.println("test split:");
    if (e.has("confusion")) {
      System.out.println(ApiJson.MAPPER.treeToValue(e, ClassificationReport.class).render());
    } else {
      System.out.println(ApiJson.MAPPER.treeToValue(e, RegressionReport.class).render());
    }
    printImportance(e.path("permutation_importance"));
  }

  /** The raw columns whose shuffling costs the most score, most first; nothing for a job without importances. */
  private static void printImportance(JsonNode p) {
    if (!p.isObject()) {
      return;
    }
    JsonNode columns = p.path("columns");
    System.out.printf(
        "%npermutation importance (drop in %s over %d shuffles of %d test rows, seed %d):%n",
        p.path("metric").asText(), p.path("repeats").asInt(), p.path("rows").asInt(), p.path("seed").asLong());
    System.out.printf("  %-24s %10s %10s%n", "COLUMN", "IMPORTANCE", "STD");
    for (int i = 0; i < Math.min(IMPORTANCE_ROWS, columns.size()); i++) {
      JsonNode c = columns.get(i);
      System.out.printf(
          Locale.ROOT,
          "  %-24s %10.4f %10.4f%n",
          c.path("name").asText(),
          c.path("importance").asDouble(),
          c.path("std").asDouble());
    }
    if (columns.size() > IMPORTANCE_ROWS) {
      System.out.printf("  ... %d more columns in the job's evaluation%n", columns.size() - IMPORTANCE_ROWS);
    }
  }

  /** {@code sweep 3 #2} for trial 2 of sweep 3; {@code -} for a job submitted on its own. */
  private static String trial(JsonNode j) {
    JsonNode s = j.path("sweep");
    return s.isObject() ? "sweep " + s.path("id").asLong() + " #" + s.path("trial").asInt() : "-";
  }

  private static String epochs(JsonNode j) {
    JsonNode s = j.at("/lineage/settings/epochs");
    return s.isMissingNode() ? "?" : s.asText();
  }

  private static String score(JsonNode e) {
    if (e.has("accuracy")) {
      return String.format(Locale.ROOT, "acc %.3f", e.get("accuracy").asDouble());
    }
    if (e.has("r2")) {
      return String.format(Locale.ROOT, "r2 %.3f", e.get("r2").asDouble());
    }
    return "-";
  }
}
