package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln models push|list|show|pull|alias|unalias|archive|delete}: the model registry. */
@Command(
    name = "models",
    description = "The model registry: push versions, list, show, pull, alias, archive, delete.",
    subcommands = {
      ModelsCommand.Push.class,
      ModelsCommand.ListModels.class,
      ModelsCommand.Show.class,
      ModelsPullCommand.class,
      ModelsCommand.Alias.class,
      ModelsCommand.Unalias.class,
      ModelsCommand.Archive.class,
      ModelsCommand.Delete.class
    })
final class ModelsCommand {
  @Command(name = "push", description = "Upload an ONNX file as the next version (checksummed, encrypted at rest).")
  static final class Push implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", description = "The model file (.onnx).")
    Path file;

    @Option(names = "--name", required = true)
    String name;

    @Override
    public Integer call() throws Exception {
      JsonNode v =
          server
              .client()
              .post("/api/v1/models/" + name + "/versions", Files.readAllBytes(file), "application/octet-stream");
      System.out.printf(
          "%s version %d: %d bytes, sha256 %s; serving at /v2/models/%s/versions/%d%n",
          v.path("model").asText(),
          v.path("version").asLong(),
          v.path("size_bytes").asLong(),
          v.path("sha256").asText(),
          name,
          v.path("version").asLong());
      return 0;
    }
  }

  @Command(name = "list", description = "Registered models.")
  static final class ListModels implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Override
    public Integer call() {
      JsonNode models = server.client().get("/api/v1/models"); // a refused call prints no table
      System.out.printf("%-24s %-9s %s%n", "NAME", "ARCHIVED", "CREATED");
      for (JsonNode m : models) {
        System.out.printf(
            "%-24s %-9s %s%n", m.path("name").asText(), m.path("archived").asBoolean(), m.path("created").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description =
          "A model: versions with checksums and lineage, aliases, card (JSON). With a version: that version's facts,"
              + " test metrics and column importance, as text.")
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "One version, shown as text.")
    Long version;

    @Override
    public Integer call() throws Exception {
      if (version != null) {
        showVersion(server.client().get("/api/v1/models/" + name + "/versions/" + version));
        return 0;
      }
      JsonNode m = server.client().get("/api/v1/models/" + name);
      System.out.println(ApiJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
      return 0;
    }

    /** The version's facts, then what its metadata records of its job: the test split's metrics and importances. */
    private static void showVersion(JsonNode v) throws IOException {
      System.out.printf(
          "%s v%d  %s  %s  %s  %d bytes  sha256 %s%n",
          v.path("model").asText(),
          v.path("version").asLong(),
          v.path("state").asText(),
          v.path("format").asText(),
          v.path("source").asText(),
          v.path("size_bytes").asLong(),
          v.path("sha256").asText());
      // The registry keeps metadata as the JSON text it was given; a trained version's holds {job, lineage,
      // evaluation}.
      JsonNode meta = ApiJson.MAPPER.readTree(v.path("metadata").asText("{}"));
      if (meta == null || !meta.has("job")) {
        System.out.println("pushed as a file: no training job, metrics or column importance recorded");
        return;
      }
      JsonNode dataset = meta.at("/lineage/dataset");
      System.out.printf(
          "trained by job %d on %s@%s%n",
          meta.path("job").asLong(), dataset.path("name").asText("?"), dataset.path("version").asText("?"));
      JobsCommand.printEvaluation(meta);
    }
  }

  @Command(name = "alias", description = "Point an alias (production, staging, ...) at a version.")
  static final class Alias implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Parameters(index = "1")
    String alias;

    @Parameters(index = "2")
    long version;

    @Override
    public Integer call() {
      server.client().put("/api/v1/models/" + name + "/aliases/" + alias, ApiJson.write(Map.of("version", version)));
      System.out.printf("%s@%s -> version %d (call /v2/models/%s@%s/infer)%n", name, alias, version, name, alias);
      return 0;
    }
  }

  @Command(name = "unalias", description = "Remove an alias.")
  static final class Unalias implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Parameters(index = "1")
    String alias;

    @Override
    public Integer call() {
      server.client().delete("/api/v1/models/" + name + "/aliases/" + alias);
      System.out.println("removed " + name + "@" + alias);
      return 0;
    }
  }

  @Command(name = "archive", description = "Stop serving a model (its versions stay; --undo serves it again).")
  static final class Archive implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Option(names = "--undo")
    boolean undo;

    @Override
    public Integer call() {
      server
          .client()
          .post("/api/v1/models/" + name + "/" + (undo ? "unarchive" : "archive"), new byte[0], "application/json");
      System.out.println(name + (undo ? " unarchived" : " archived"));
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a version (--version) or the whole model, with its files.")
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Option(names = "--version")
    Long version;

    @Override
    public Integer call() {
      server.client().delete("/api/v1/models/" + name + (version == null ? "" : "/versions/" + version));
      System.out.println("deleted " + name + (version == null ? "" : " version " + version));
      return 0;
    }
  }
}
