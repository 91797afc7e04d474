package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which served model {@code kiln predict} calls, and the raw columns it takes. */
final class PredictTarget {
  private PredictTarget() {}

  /**
   * The model's {@code /predict} path for {@code NAME}, {@code NAME:version} or {@code NAME@alias} (an alias is
   * resolved once, through the registry, so a run scores every row with one version even when the alias moves).
   */
  static String path(KilnClient client, String reference) {
    if (!reference.matches("[A-Za-z0-9][A-Za-z0-9._-]*([@:][A-Za-z0-9._-]+)?")) {
      throw new KilnClient.CallFailed("bad model '" + reference + "': NAME, NAME:version or NAME@alias");
    }
    int at = reference.indexOf('@');
    int colon = reference.lastIndexOf(':');
    if (at >= 0) {
      String name = reference.substring(0, at);
      String alias = reference.substring(at + 1);
      JsonNode version = client.get("/api/v1/models/" + name).path("aliases").path(alias);
      if (!version.canConvertToExactIntegral()) {
        throw new KilnClient.CallFailed("no alias '" + alias + "' on model '" + name + "'");
      }
      return "/predict/" + name + "/versions/" + version.asLong();
    }
    if (colon >= 0) {
      String version = reference.substring(colon + 1);
      if (!version.matches("[0-9]+")) {
        throw new KilnClient.CallFailed("bad model version '" + version + "' (NAME:version takes a number)");
      }
      return "/predict/" + reference.substring(0, colon) + "/versions/" + version;
    }
    return "/predict/" + reference;
  }

  /** The columns the model declares (OIP metadata's {@code parameters.columns}); refused when it declares none. */
  static List<String> columns(KilnClient client, String reference, String predictPath) {
    JsonNode metadata = client.get("/v2/models/" + predictPath.substring("/predict/".length()));
    List<String> columns = new ArrayList<>();
    metadata.path("inputs").forEach(in -> in.path("parameters").path("columns").forEach(c -> columns.add(c.asText())));
    if (columns.isEmpty()) {
      throw new KilnClient.CallFailed(
          "model '" + reference + "' declares no columns; kiln predict scores Kiln-trained tabular models");
    }
    return columns;
  }

  /**
   * Refuses a Parquet column of text or booleans where the model takes numbers (its input of datatype FP32), naming the
   * column, before any row is sent: the server would refuse each row, and name it by its place in the batch.
   */
  static void checkNumeric(
      KilnClient client, String predictPath, List<String> read, List<ParquetRows.Kind> kinds, String name) {
    JsonNode metadata = client.get("/v2/models/" + predictPath.substring("/predict/".length()));
    Set<String> numeric = new HashSet<>();
    metadata
        .path("inputs")
        .forEach(in -> {
          if (in.path("datatype").asText().equals("FP32")) {
            in.path("parameters").path("columns").forEach(c -> numeric.add(c.asText()));
          }
        });
    for (int i = 0; i < read.size(); i++) {
      ParquetRows.Kind kind = kinds.get(i);
      if (numeric.contains(read.get(i)) && (kind == ParquetRows.Kind.TEXT || kind == ParquetRows.Kind.BOOLEAN)) {
        throw new KilnClient.CallFailed(
            name
                + " column '"
                + read.get(i)
                + "' holds "
                + (kind == ParquetRows.Kind.TEXT ? "text" : "booleans")
                + "; the model takes numbers there");
      }
    }
  }
}
