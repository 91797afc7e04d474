package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import dev.kiln.training.spec.ModelSpecReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln sweep SPEC --dataset NAME --space SPACE}: submits a hyperparameter sweep and follows it as a live table;
 * {@code kiln sweep list|show|watch|cancel|deploy} for sweeps already submitted.
 */
@Command(
    name = "sweep",
    description =
        "Hyperparameter sweep: train a spec once per setting drawn from a space (grid, random or latin_hypercube),"
            + " shown as a live table until every trial ends. SPEC is a model spec with --space, or a sweep file"
            + " holding model:, space: and any other sweep field.",
    subcommands = {
      SweepCommand.ListSweeps.class,
      SweepCommand.Show.class,
      SweepCommand.Watch.class,
      SweepCommand.Cancel.class,
      SweepCommand.Deploy.class
    })
final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions server;

  @Parameters(index = "0", arity = "0..1", description = "Model spec, or sweep file (YAML or JSON).")
  Path file;

  @Option(names = "--dataset", description = "Dataset name (or the sweep file's dataset:).")
  String dataset;

  @Option(names = "--space", description = "Search space file (YAML or JSON): key -> {values|uniform|log_uniform|int}.")
  Path space;

  @Option(names = "--strategy", description = "grid, random or latin_hypercube (default: grid without --trials).")
  String strategy;

  @Option(names = "--trials", description = "Trials for random and latin_hypercube.")
  Integer trials;

  @Option(names = "--seed", description = "Seed of the trial generator (default: 42); the same seed, the same trials.")
  Long seed;

  @Option(
      names = "--objective",
      description =
          "METRIC[:max|min], e.g. val_loss or val_accuracy:max (default: val_accuracy, val_loss for regression).")
  String objective;

  @Option(names = "--epochs", description = "Epochs per trial (default: the spec's).")
  Integer epochs;

  @Option(names = "--detach", description = "Submit and return without following the sweep.")
  boolean detach;

  @Override
  public Integer call() throws Exception {
    if (file == null) {
      throw new ParameterException(
          spec.commandLine(), "a spec or sweep file is needed (or a subcommand: list, show, watch, cancel, deploy)");
    }
    ObjectNode req = request();
    KilnClient client = server.client();
    JsonNode s = client.post("/api/v1/sweeps", ApiJson.write(req), "application/json");
    long id = s.get("id").asLong();
    System.out.printf(
        "sweep %d queued: %d trials (%s) on %s%n",
        id, s.path("trials").size(), s.path("strategy").asText(), req.path("dataset").asText());
    if (detach) {
      return 0;
    }
    JsonNode end = SweepTable.follow(client, id, System.out, System.console() != null);
    if (end.hasNonNull("best")) {
      System.out.printf("deploy the best with: kiln sweep deploy %d --as NAME%n", id);
    }
    return end.path("state").asText().equals("SUCCEEDED") ? 0 : 1;
  }

  /** The request: the sweep file's fields (or the spec as model), then the flags over them. */
  private ObjectNode request() throws Exception {
    JsonNode doc = ModelSpecReader.tree(Files.readString(file, StandardCharsets.UTF_8));
    ObjectNode req = ApiJson.MAPPER.createObjectNode();
    if (doc.has("space") || doc.has("model")) {
      req.setAll((ObjectNode) doc);
    } else {
      req.set("model", doc);
    }
    if (space != null) {
      req.set("space", ModelSpecReader.tree(Files.readString(space, StandardCharsets.UTF_8)));
    }
    if (!req.has("space")) {
      throw new ParameterException(
          spec.commandLine(), "--space is needed when " + file + " is a spec (it has no space:)");
    }
    if (dataset != null) {
      req.put("dataset", dataset);
    }
    if (!req.has("dataset")) {
      throw new ParameterException(spec.commandLine(), "--dataset is needed (or dataset: in the sweep file)");
    }
    if (strategy != null) {
      req.put("strategy", strategy);
    }
    if (trials != null) {
      req.put("trials", trials);
    }
    if (seed != null) {
      req.put("seed", seed);
    }
    if (objective != null) {
      String[] parts = objective.split(":", 2);
      ObjectNode o = req.putObject("objective").put("metric", parts[0]);
      if (parts.length == 2) {
        o.put("direction", parts[1]);
      }
    }
    if (epochs != null) {
      (req.path("training").isObject() ? (ObjectNode) req.get("training") : req.putObject("training"))
          .put("epochs", epochs);
    }
    return req;
  }

  @Command(name = "list", description = "Sweeps, newest first.")
  static final class ListSweeps implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Override
    public Integer call() {
      JsonNode sweeps = server.client().get("/api/v1/sweeps");
      System.out.printf("%5s %-10s %-16s %7s %-22s  %s%n", "ID", "STATE", "STRATEGY", "TRIALS", "BEST", "CREATED");
      for (JsonNode s : sweeps) {
        System.out.printf(
            Locale.ROOT,
            "%5d %-10s %-16s %7s %-22s  %s%n",
            s.path("id").asLong(),
            s.path("state").asText(),
            s.path("strategy").asText(),
            trials(s.path("trial_counts")),
            s.hasNonNull("best")
                ? String.format(
                    Locale.ROOT,
                    "#%d %s %.4g",
                    s.get("best").asInt(),
                    s.at("/objective/metric").asText(),
                    s.get("best_value").asDouble())
                : "-",
            s.path("created").asText());
      }
      return 0;
    }
  }

  /** {@code 5/8}: trials ended (succeeded, failed or cancelled) of all. */
  private static String trials(JsonNode counts) {
    int ended = counts.path("succeeded").asInt() + counts.path("failed").asInt() + counts.path("cancelled").asInt();
    return ended + "/" + counts.path("total").asInt();
  }

  @Command(
      name = "show",
      description = "A sweep: every trial's settings, state, epochs and objective; the best marked *.")
  static final class Show extends IdCommand {
    @Override
    public Integer call() {
      SweepTable.render(server.client().get("/api/v1/sweeps/" + id)).forEach(System.out::println);
      return 0;
    }
  }

  @Command(name = "watch", description = "Follow a sweep as a live table until every trial ends.")
  static final class Watch extends IdCommand {
    @Override
    public Integer call() throws InterruptedException {
      JsonNode end = SweepTable.follow(server.client(), id, System.out, System.console() != null);
      return end.path("state").asText().equals("SUCCEEDED") ? 0 : 1;
    }
  }

  @Command(name = "cancel", description = "Cancel every queued or running trial of a sweep.")
  static final class Cancel extends IdCommand {
    @Override
    public Integer call() {
      JsonNode s = server.client().post("/api/v1/sweeps/" + id + "/cancel", new byte[0], "application/json");
      System.out.printf(
          "sweep %d: %s%n",
          id,
          s.path("state").asText().equals("RUNNING")
              ? "cancel requested; running trials stop at their next step"
              : s.path("state").asText().toLowerCase(Locale.ROOT));
      return 0;
    }
  }

  @Command(name = "deploy", description = "Serve the best succeeded trial's model as the next version of a model.")
  static final class Deploy implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", description = "Sweep id.")
    long id;

    @Option(names = "--as", required = true, description = "Model name to serve it under.")
    String name;

    @Override
    public Integer call() {
      JsonNode d =
          server
              .client()
              .post("/api/v1/sweeps/" + id + "/deploy", ApiJson.write(Map.of("name", name)), "application/json");
      System.out.printf(
          Locale.ROOT,
          "deployed trial %d of sweep %d (job %d, objective %.5g) as %s version %s: POST /v2/models/%s/infer%n",
          d.path("trial").asInt(),
          id,
          d.path("job").asLong(),
          d.path("objective").asDouble(),
          d.path("model").asText(),
          d.path("version").asText(),
          d.path("model").asText());
      return 0;
    }
  }
}
