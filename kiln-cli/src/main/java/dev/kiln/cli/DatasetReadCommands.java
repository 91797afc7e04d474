package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln datasets download|preview NAME[@VERSION]}: a dataset version's stored bytes or its first rows. Both are
 * reads the server audits; another key's dataset needs a {@code dataset:} scope on its name.
 */
final class DatasetReadCommands {
  private DatasetReadCommands() {}

  /** A version's manifest: {@code NAME@VERSION}, or the newest for {@code NAME}. */
  static JsonNode manifest(KilnClient client, String reference) {
    int at = reference.indexOf('@');
    if (at < 0) {
      return client.get("/api/v1/datasets/" + reference);
    }
    String version = reference.substring(at + 1);
    if (!version.matches("[0-9]{1,9}")) {
      throw new KilnClient.CallFailed("version: '" + version + "' (expected: a number, as in NAME@2)");
    }
    return client.get("/api/v1/datasets/" + reference.substring(0, at) + "/versions/" + version);
  }

  static String path(JsonNode m) {
    return "/api/v1/datasets/" + m.path("name").asText() + "/versions/" + m.path("version").asInt();
  }

  @Command(
      name = "download",
      description = "Save a version's stored bytes (after its column policy): CSV as is, a folder dataset as a zip.")
  static final class Download implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", paramLabel = "NAME[@VERSION]", description = "Default: the newest version.")
    String reference;

    @Option(
        names = {"-o", "--output"},
        description = "Where to write it (default: NAME-vVERSION.csv, or .zip for a folder dataset).")
    Path output;

    @Override
    public Integer call() throws IOException {
      KilnClient client = server.client();
      JsonNode m = manifest(client, reference);
      String format = m.path("format").asText().toUpperCase(Locale.ROOT);
      boolean file = format.equals("CSV") || format.equals("TEXT_CSV");
      String data = m.path("data").asText("data.csv");
      String ext = !file ? ".zip" : data.indexOf('.') < 0 ? ".csv" : data.substring(data.indexOf('.'));
      Path out = output != null ? output : Path.of(m.path("name").asText() + "-v" + m.path("version").asInt() + ext);
      long size = client.download(path(m) + "/data", out);
      // A single file's checksum is the manifest's: a download cut short or changed on the way does not pass.
      String sha = file ? sha256(out) : "";
      if (file && !sha.equals(m.path("sha256").asText())) {
        Files.deleteIfExists(out);
        throw new KilnClient.CallFailed("the download does not match the version's sha256; nothing was kept");
      }
      System.out.printf(
          "dataset %s version %d: %d bytes%s to %s%n",
          m.path("name").asText(),
          m.path("version").asInt(),
          size,
          file ? ", sha256 " + sha + " (verified)," : " (zip of the folder)",
          out);
      return 0;
    }

    private static String sha256(Path file) throws IOException {
      try (DigestInputStream in =
          new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
        in.transferTo(OutputStream.nullOutputStream());
        return HexFormat.of().formatHex(in.getMessageDigest().digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Command(name = "preview", description = "Print the first rows of a CSV version.")
  static final class Preview implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0", paramLabel = "NAME[@VERSION]", description = "Default: the newest version.")
    String reference;

    @Option(names = "--rows", description = "Rows to show, at most 100 (default: 10).")
    int rows = 10;

    @Override
    public Integer call() {
      KilnClient client = server.client();
      JsonNode p = client.get(path(manifest(client, reference)) + "/preview?rows=" + rows);
      System.out.printf("dataset %s version %d%n", p.path("dataset").asText(), p.path("version").asInt());
      System.out.println(line(p.path("columns")));
      p.path("rows").forEach(r -> System.out.println(line(r)));
      if (p.path("more").asBoolean()) {
        System.out.println("... (more rows: kiln datasets download " + p.path("dataset").asText() + ")");
      }
      return 0;
    }

    private static String line(JsonNode fields) {
      StringBuilder s = new StringBuilder();
      fields.forEach(f -> s.append(s.isEmpty() ? "" : "\t").append(f.asText()));
      return s.toString();
    }
  }
}
