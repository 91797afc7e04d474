package dev.kiln.scoring.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.http.ApiJson;
import dev.kiln.scoring.ScoringRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A submission's body: {@code {"model", "dataset", "batch_size", "id_column"}}. Fields of the wrong type and unknown
 * fields (a misspelt {@code batchsize} would otherwise be ignored) are refused with their name.
 */
final class ScoringRequests {
  private static final Set<String> FIELDS = Set.of("model", "dataset", "batch_size", "id_column");

  private ScoringRequests() {}

  static ScoringRequest read(byte[] body) {
    JsonNode n = ApiJson.read(body, "request body");
    if (!n.isObject()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "request body must be a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    n.fieldNames()
        .forEachRemaining(f -> {
          if (!FIELDS.contains(f)) {
            unknown.add(f);
          }
        });
    if (!unknown.isEmpty()) {
      throw invalid(unknown.get(0), "unknown field (expected: model, dataset, batch_size, id_column)");
    }
    return ScoringRequest.of(
        text(n, "model", true), text(n, "dataset", true), batchSize(n), text(n, "id_column", false));
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw invalid(field, "missing");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(field, "must be a string");
    }
    return v.asText();
  }

  private static int batchSize(JsonNode n) {
    JsonNode v = n.get("batch_size");
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw invalid("batch_size", v + " (expected: a whole number, 1 or more)");
    }
    return v.asInt();
  }

  private static KilnException invalid(String field, String what) {
    return new KilnException(ErrorKind.INVALID_ARGUMENT, field + ": " + what, null, field);
  }
}
