package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Lines of the predictions file: the row's id, the prediction (the class when the model answers scores per class, else
 * the value), and the scores {@code p_0, p_1, ...} when the model gives them.
 */
final class PredictRows {
  private PredictRows() {}

  static String header(String id, JsonNode first) {
    first = scores(first);
    StringBuilder s = new StringBuilder(CsvRecords.field(id)).append(",prediction");
    if (first.isArray() && first.size() > 1) {
      for (int k = 0; k < first.size(); k++) {
        s.append(",p_").append(k);
      }
    }
    return s.append('\n').toString();
  }

  static String line(String id, JsonNode prediction, JsonNode predictedClass) {
    StringBuilder s = new StringBuilder(CsvRecords.field(id)).append(',');
    if (prediction.has("probabilities")) { // a Kiln-trained classifier: {"probabilities", "label", "class"}
      s.append(CsvRecords.field(prediction.path("class").asText()));
      prediction.get("probabilities").forEach(p -> s.append(',').append(CsvRecords.field(p.asText())));
      return s.append('\n').toString();
    }
    if (prediction.isArray() && prediction.size() > 1) {
      s.append(CsvRecords.field(predictedClass.isMissingNode() ? "" : predictedClass.asText()));
      prediction.forEach(p -> s.append(',').append(CsvRecords.field(p.asText())));
    } else {
      JsonNode value = prediction.isArray() ? prediction.path(0) : prediction;
      s.append(CsvRecords.field(value.isObject() ? value.toString() : value.asText()));
    }
    return s.append('\n').toString();
  }

  private static JsonNode scores(JsonNode prediction) {
    return prediction.has("probabilities") ? prediction.get("probabilities") : prediction;
  }
}
