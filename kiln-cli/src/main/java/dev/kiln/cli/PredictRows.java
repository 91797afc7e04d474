package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of the predictions file: the row's id, the prediction (the class when the model answers scores per class, else
 * the value), and the scores {@code p_0, p_1, ...} when the model gives them; as CSV lines or as Parquet columns.
 */
final class PredictRows {
  /** One scored row; {@code scores} is empty for a model that gives one value. */
  record Row(String id, String prediction, List<String> scores) {}

  private PredictRows() {}

  static Row row(String id, JsonNode prediction, JsonNode predictedClass) {
    List<String> scores = new ArrayList<>();
    if (prediction.has("probabilities")) { // a Kiln-trained classifier: {"probabilities", "label", "class"}
      prediction.get("probabilities").forEach(p -> scores.add(p.asText()));
      return new Row(id, prediction.path("class").asText(), scores);
    }
    if (prediction.isArray() && prediction.size() > 1) {
      prediction.forEach(p -> scores.add(p.asText()));
      return new Row(id, predictedClass.isMissingNode() ? "" : predictedClass.asText(), scores);
    }
    JsonNode value = prediction.isArray() ? prediction.path(0) : prediction;
    return new Row(id, value.isObject() ? value.toString() : value.asText(), scores);
  }

  /** The CSV header for rows like {@code first}: {@code id,prediction[,p_0,p_1,...]}. */
  static String header(String id, Row first) {
    StringBuilder s = new StringBuilder(CsvRecords.field(id)).append(",prediction");
    if (first.scores().size() > 1) {
      for (int k = 0; k < first.scores().size(); k++) {
        s.append(",p_").append(k);
      }
    }
    return s.append('\n').toString();
  }

  static String line(Row row) {
    StringBuilder s = new StringBuilder(CsvRecords.field(row.id())).append(',');
    s.append(CsvRecords.field(row.prediction()));
    row.scores().forEach(p -> s.append(',').append(CsvRecords.field(p)));
    return s.append('\n').toString();
  }
}
