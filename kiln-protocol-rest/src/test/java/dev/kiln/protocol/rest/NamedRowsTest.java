package dev.kiln.protocol.rest;

import static dev.kiln.protocol.rest.RestFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows by column name for a tabular model with numeric and categorical inputs, as Kiln's trainer exports it. */
class NamedRowsTest {
  static final ModelSignature TABULAR =
      new ModelSignature(
          List.of(
              new TensorSpec("features", DataType.FP32, new long[] {-1, 2}, List.of("age", "income")),
              new TensorSpec("categories", DataType.BYTES, new long[] {-1, 1}, List.of("city"))),
          List.of(new TensorSpec("prediction", DataType.FP32, new long[] {-1, 1})));

  @Test
  void objectsAreSplitIntoEachInputsColumnOrder() throws Exception {
    JsonNode rows =
        json("[{\"city\": \"Oslo\", \"income\": 3.5, \"age\": 40}, {\"age\": 7, \"income\": 0, \"city\": \"\"}]");
    assertThat(NamedRows.applies(rows, TABULAR)).isTrue();
    Map<String, JsonNode> in = NamedRows.byInput(rows, TABULAR);
    assertThat(in.get("features")).isEqualTo(json("[[40, 3.5], [7, 0]]"));
    assertThat(in.get("categories")).isEqualTo(json("[[\"Oslo\"], [\"\"]]"));
  }

  @Test
  void csvCellsAreNumbersInNumericColumnsAndTextElsewhere() throws Exception {
    JsonNode rows = NamedRows.fromCsv("city,income,age\nOslo, 3.5 ,40\n12,NA,7\n", TABULAR);
    Map<String, JsonNode> in = NamedRows.byInput(rows, TABULAR);
    assertThat(in.get("features")).isEqualTo(json("[[40.0, 3.5], [7.0, null]]"));
    assertThat(in.get("categories")).isEqualTo(json("[[\"Oslo\"], [\"12\"]]"));
  }

  @Test
  void quotedCsvCellsKeepTheirCommasAndQuotes() throws Exception {
    JsonNode rows = NamedRows.fromCsv("\"city\",income,age\r\n\"Oslo, \"\"NO\"\"\",\"3.5\",40\r\n", TABULAR);
    Map<String, JsonNode> in = NamedRows.byInput(rows, TABULAR);
    assertThat(in.get("features")).isEqualTo(json("[[40.0, 3.5]]"));
    assertThat(in.get("categories")).isEqualTo(json("[[\"Oslo, \\\"NO\\\"\"]]"));
    assertThatThrownBy(() -> NamedRows.fromCsv("age,income,city\n1,2,\"Oslo\n", TABULAR))
        .hasMessage("CSV line 2: a quoted field is not closed");
  }

  @Test
  void missingUnknownAndMalformedAreNamed() throws Exception {
    assertThatThrownBy(() -> NamedRows.byInput(json("[{\"age\": 1, \"town\": \"x\"}]"), TABULAR))
        .isInstanceOf(KilnException.class)
        .hasMessage("missing column(s) 'income', 'city'; unknown column(s) 'town'");
    assertThatThrownBy(() -> NamedRows.fromCsv("age,income,city\nx,1,Oslo\n", TABULAR))
        .hasMessage("CSV row 1, column 'age': 'x' is not a number");
    assertThatThrownBy(() -> NamedRows.fromCsv("age,income,city\n1,2\n", TABULAR))
        .hasMessage("CSV row 1 has 2 cells; the header has 3");
  }

  @Test
  void rowsByInputNameAndModelsWithoutColumnsKeepTheirMeaning() throws Exception {
    assertThat(NamedRows.applies(json("[{\"features\": [1, 2], \"categories\": [\"a\"]}]"), TABULAR)).isFalse();
    ModelSignature plain =
        new ModelSignature(
            List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1})));
    assertThat(NamedRows.applies(json("[{\"a\": 1}]"), plain)).isFalse();
    assertThatThrownBy(() -> NamedRows.fromCsv("a\n1\n", plain)).hasMessageContaining("declares no column names");
  }
}
