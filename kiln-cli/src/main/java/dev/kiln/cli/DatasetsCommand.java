package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.job.Preparation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln datasets add|list|show|download|preview}: versioned datasets on the server. */
@Command(
    name = "datasets",
    description = "Upload and list datasets (each upload is a new, checksummed version).",
    subcommands = {
      DatasetsCommand.Add.class,
      DatasetsCommand.ListDatasets.class,
      DatasetReadCommands.Download.class,
      DatasetReadCommands.Preview.class,
      DatasetShowCommand.class,
      DatasetRetentionCommands.Delete.class,
      DatasetRetentionCommands.Retention.class
    })
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

    @Option(
        names = "--tokenizer",
        converter = PreparationNames.Tokenizer.class,
        description = "Text: auto (default: chars for Chinese, Japanese or Thai, else words), words or chars.")
    String tokenizer;

    @Option(names = "--lowercase", negatable = true, description = "Text: lower-case before tokenising (default).")
    Boolean lowercase;

    @Option(names = "--normalize", negatable = true, description = "Text: NFKC before tokenising, in training only.")
    Boolean normalize;

    @Option(names = "--ngrams", description = "Text, n-gram bag: the longest n-gram, 1 to 3 (default: 2).")
    Integer ngrams;

    @Option(names = "--min-count", description = "Text: tokens or n-grams seen fewer times are dropped (default: 1).")
    Integer minCount;

    @Option(
        names = "--max-vocabulary",
        description = "Text: the most frequent tokens or n-grams kept (default: 10000).")
    Integer maxVocabulary;

    @Option(
        names = "--max-length",
        description = "Text, sequence models: tokens per text (default: the 95th percentile, at most 256).")
    Integer maxLength;

    @Option(
        names = "--drop",
        split = ",",
        description = "CSV columns left out before the upload is stored (personal data).")
    List<String> drop = List.of();

    @Option(
        names = "--hash",
        split = ",",
        description = "CSV columns stored as keyed hashes (HMAC-SHA256 under the dataset name's key).")
    List<String> hash = List.of();

    @Option(
        names = "--mask",
        split = ",",
        paramLabel = "COLUMN:N",
        description = "CSV columns stored as their first N characters, e.g. postcode:3.")
    List<String> mask = List.of();

    @Option(
        names = "--retention",
        description = "How long the name's versions are kept, e.g. 30d, 12h, or none (with a database).")
    String retention;

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
      put(query, "channels", Objects.toString(channels, null));
      put(query, "drop", drop.isEmpty() ? null : String.join(",", drop));
      put(query, "hash", hash.isEmpty() ? null : String.join(",", hash));
      put(query, "mask", mask.isEmpty() ? null : String.join(",", mask));
      put(query, "retention", retention);
      Map<String, String> textOptions = new LinkedHashMap<>();
      put(textOptions, "tokenizer", tokenizer);
      put(textOptions, "lowercase", Objects.toString(lowercase, null));
      put(textOptions, "normalize", Objects.toString(normalize, null));
      put(textOptions, "ngrams", Objects.toString(ngrams, null));
      put(textOptions, "min_count", Objects.toString(minCount, null));
      put(textOptions, "max_vocabulary", Objects.toString(maxVocabulary, null));
      put(textOptions, "max_length", Objects.toString(maxLength, null));
      Preparation.datasetText(textOptions); // a bad value is answered here as the server would answer it
      query.putAll(textOptions);
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
      printText(m);
      JsonNode policy = m.path("options").path("policy");
      if (policy.isObject()) {
        System.out.println("  policy: " + policy);
      }
      for (JsonNode p : m.path("personal_columns")) {
        System.out.printf(
            "  column %s looks like %s (%d of %d values): consider --drop or --hash%n",
            p.path("column").asText(),
            p.path("looks_like").asText().replace('_', ' '),
            p.path("matches").asLong(),
            p.path("values").asLong());
      }
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

  /** A text dataset's upload report in three lines (README, "Text"); nothing for other datasets. */
  static void printText(JsonNode manifest) {
    JsonNode t = manifest.path("text");
    if (!t.isObject()) {
      return;
    }
    JsonNode own = manifest.path("options").path("preparation");
    System.out.printf(
        Locale.ROOT,
        "  text: %,d tokens (%s, %s), %,d distinct; the %,d most frequent cover %.1f%%%n",
        t.path("tokens").asLong(),
        t.path("tokenizer").asText(),
        own.has("tokenizer") ? "the dataset's tokenizer" : "as tokenizer auto picks",
        t.path("vocabulary").asInt(),
        t.path("max_vocabulary").asInt(),
        100 * t.path("coverage").asDouble());
    JsonNode l = t.path("lengths");
    System.out.printf(
        Locale.ROOT,
        "  tokens per text: mean %.1f, p50 %d, p90 %d, p99 %d, max %d; max_length %d (%s) cuts %.1f%%%s%n",
        l.path("mean").asDouble(),
        l.path("p50").asInt(),
        l.path("p90").asInt(),
        l.path("p99").asInt(),
        l.path("max").asInt(),
        t.path("max_length").asInt(),
        own.has("max_length") ? "the dataset's" : "default",
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
