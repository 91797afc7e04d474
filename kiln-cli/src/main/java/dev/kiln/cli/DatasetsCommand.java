package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln datasets add|list|show}: versioned datasets on the server. */
@Command(
    name = "datasets",
    description = "Upload and list datasets (each upload is a new, checksummed version).",
    subcommands = {DatasetsCommand.Add.class, DatasetsCommand.ListDatasets.class, DatasetsCommand.Show.class})
final class DatasetsCommand {
  @Command(
      name = "add",
      description =
          "Upload a CSV/TSV (optionally .gz), a labelled-text CSV, or a folder (image "
              + "folder, IDX pair, text folder) as a new version.")
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

    @Option(names = "--channels", description = "1 (grey) or 3 (RGB) for images (default: what most have).")
    Integer channels;

    @Option(names = "--delimiter", description = "Field delimiter (default: by extension, ',' or tab).")
    String delimiter;

    @Override
    public Integer call() throws Exception {
      if (!Files.exists(file)) {
        throw new KilnClient.CallFailed("no such file or folder: " + file);
      }
      String n = name != null ? name : file.getFileName().toString().replaceFirst("\\..*$", "");
      Map<String, String> query = new LinkedHashMap<>();
      put(query, "label", label);
      put(query, "text", text);
      put(query, "task", task);
      put(query, "delimiter", delimiter);
      put(query, "channels", channels == null ? null : channels.toString());
      if (file.toString().endsWith(".tsv") || file.toString().endsWith(".tsv.gz")) {
        query.putIfAbsent("delimiter", "\t");
      }
      boolean folder = Files.isDirectory(file);
      JsonNode m =
          server
              .client()
              .post(
                  "/api/v1/datasets/" + n + query(query),
                  folder ? zip(file) : Files.readAllBytes(file),
                  folder ? "application/zip" : "application/octet-stream");
      System.out.printf(
          "dataset %s version %d: %d rows, %s, %s, sha256 %s%n",
          m.path("name").asText(),
          m.path("version").asInt(),
          m.path("rows").asLong(),
          m.path("format").asText(),
          task(m),
          m.path("sha256").asText());
      printText(m.path("text"));
      if (task == null
          && m.path("task").asText().equals("CLASSIFICATION")
          && !m.path("classes").isEmpty()
          && m.path("classes").get(0).asText().matches("-?[0-9]+")) {
        System.out.println(
            "  the labels are whole numbers with few values, so they were taken as classes; "
                + "add --task regression if they are quantities");
      }
      return 0;
    }

    /** A folder dataset travels as one zip of its tree (regular files only; links are not followed). */
    static byte[] zip(Path dir) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(bytes);
          var files = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) files.sorted()::iterator) {
          if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            zip.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
            Files.copy(p, zip);
            zip.closeEntry();
          }
        }
      }
      return bytes.toByteArray();
    }

    private static void put(Map<String, String> q, String k, String v) {
      if (v != null) {
        q.put(k, v);
      }
    }

    private static String query(Map<String, String> q) {
      StringBuilder sb = new StringBuilder();
      q.forEach((k, v) ->
          sb.append(sb.isEmpty() ? "?" : "&")
              .append(k)
              .append('=')
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
      System.out.printf("%-24s %7s %-12s %-24s %8s  %s%n", "NAME", "VERSION", "FORMAT", "TASK", "ROWS", "SHA256");
      for (JsonNode m : all) {
        System.out.printf(
            "%-24s %7d %-12s %-24s %8d  %s%n",
            m.path("name").asText(),
            m.path("version").asInt(),
            m.path("format").asText(),
            task(m),
            m.path("rows").asLong(),
            m.path("sha256").asText().substring(0, 12));
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
      System.out.println(ApiJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
      return 0;
    }
  }

  /** A text dataset's upload report in three lines (README, "Text"); nothing for other datasets. */
  static void printText(JsonNode t) {
    if (!t.isObject()) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "  text: %,d tokens (%s, as tokenizer auto picks), %,d distinct; the %,d most frequent cover %.1f%%%n",
        t.path("tokens").asLong(),
        t.path("tokenizer").asText(),
        t.path("vocabulary").asInt(),
        t.path("max_vocabulary").asInt(),
        100 * t.path("coverage").asDouble());
    JsonNode l = t.path("lengths");
    System.out.printf(
        Locale.ROOT,
        "  tokens per text: mean %.1f, p50 %d, p90 %d, p99 %d, max %d; max_length %d (default) cuts %.1f%%%s%n",
        l.path("mean").asDouble(),
        l.path("p50").asInt(),
        l.path("p90").asInt(),
        l.path("p99").asInt(),
        l.path("max").asInt(),
        t.path("max_length").asInt(),
        100 * t.path("truncated").asDouble(),
        l.path("empty").asLong() > 0 ? "; " + l.path("empty").asLong() + " texts have no token" : "");
    StringBuilder classes = new StringBuilder();
    t.path("class_counts")
        .properties()
        .forEach(e ->
            classes.append(classes.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asLong()));
    System.out.println("  texts per class: " + classes);
  }

  /** "classification (detected)", "regression (given)": what a job on this dataset will learn, and why. */
  static String task(JsonNode manifest) {
    String t = manifest.path("task").asText("").toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      return "-";
    }
    return t + (manifest.path("options").path("task").isMissingNode() ? " (detected)" : " (given)");
  }
}
