package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln datasets add|list|show}: versioned datasets on the server. */
@Command(name = "datasets", description = "Upload and list datasets (each upload is a new, checksummed version).",
    subcommands = {DatasetsCommand.Add.class, DatasetsCommand.ListDatasets.class, DatasetsCommand.Show.class})
final class DatasetsCommand {
  @Command(name = "add", description = "Upload a CSV/TSV (optionally .gz) or labelled-text CSV as a new version.")
  static final class Add implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", description = "The data file.")
    Path file;

    @Option(names = "--name", description = "Dataset name (default: the file name without extensions).")
    String name;

    @Option(names = "--label", description = "The label (target) column.")
    String label;

    @Option(names = "--text", description = "The text column, for text classification.")
    String text;

    @Option(names = "--task", description = "classification or regression (default: detected).")
    String task;

    @Option(names = "--delimiter", description = "Field delimiter (default: by extension, ',' or tab).")
    String delimiter;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(file)) {
        throw new KilnClient.CallFailed(file + " is not a file (folder datasets are not uploadable yet)");
      }
      String n = name != null ? name : file.getFileName().toString().replaceFirst("\\..*$", "");
      Map<String, String> query = new LinkedHashMap<>();
      put(query, "label", label);
      put(query, "text", text);
      put(query, "task", task);
      put(query, "delimiter", delimiter);
      if (file.toString().endsWith(".tsv") || file.toString().endsWith(".tsv.gz")) {
        query.putIfAbsent("delimiter", "\t");
      }
      JsonNode m = server.client().post("/api/v1/datasets/" + n + query(query), Files.readAllBytes(file),
          "application/octet-stream");
      System.out.printf("dataset %s version %d: %d rows, %s, sha256 %s%n", m.path("name").asText(),
          m.path("version").asInt(), m.path("rows").asLong(), m.path("format").asText(),
          m.path("sha256").asText());
      return 0;
    }

    private static void put(Map<String, String> q, String k, String v) {
      if (v != null) {
        q.put(k, v);
      }
    }

    private static String query(Map<String, String> q) {
      StringBuilder sb = new StringBuilder();
      q.forEach((k, v) -> sb.append(sb.isEmpty() ? "?" : "&").append(k).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
      return sb.toString();
    }
  }

  @Command(name = "list", description = "Every version of every dataset.")
  static final class ListDatasets implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Override
    public Integer call() {
      JsonNode all = server.client().get("/api/v1/datasets");
      System.out.printf("%-24s %7s %-10s %8s  %s%n", "NAME", "VERSION", "FORMAT", "ROWS", "SHA256");
      for (JsonNode m : all) {
        System.out.printf("%-24s %7d %-10s %8d  %s%n", m.path("name").asText(), m.path("version").asInt(),
            m.path("format").asText(), m.path("rows").asLong(), m.path("sha256").asText().substring(0, 12));
      }
      return 0;
    }
  }

  @Command(name = "show", description = "A dataset version's manifest (the newest unless --version).")
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String name;

    @Option(names = "--version")
    Integer version;

    @Override
    public Integer call() throws Exception {
      JsonNode m = server.client().get("/api/v1/datasets/" + name + (version == null ? "" : "/versions/" + version));
      System.out.println(dev.kiln.training.job.JobJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
      return 0;
    }
  }
}
