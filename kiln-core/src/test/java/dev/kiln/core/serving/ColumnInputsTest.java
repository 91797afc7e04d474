package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Columns sent as named inputs become the model's input tensors, in declared order, with named errors. */
class ColumnInputsTest {
  /**
   * As Kiln's trainer exports a tabular model: numeric columns in {@code features}, categorical in {@code categories}.
   */
  static final ModelSignature TABULAR =
      new ModelSignature(
          List.of(
              new TensorSpec("features", DataType.FP32, new long[] {-1, 3}, List.of("age", "income", "height")),
              new TensorSpec("categories", DataType.BYTES, new long[] {-1, 1}, List.of("city"))),
          List.of(new TensorSpec("score", DataType.FP32, new long[] {-1, 1})));

  @Test
  void columnsInAnyOrderAndNumericDatatypeFillTheInputsInDeclaredOrder() {
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("city", Tensor.ofStrings(new long[] {2}, "Oslo", ""));
    given.put("height", Tensor.ofFloats(new long[] {2, 1}, 1.5f, 1.8f));
    given.put("income", fp64(3.25, 1e6));
    given.put("age", Tensor.ofLongs(new long[] {2}, 40, 7));
    Map<String, Tensor> in = ColumnInputs.assemble(given, TABULAR);
    assertThat(in).containsOnlyKeys("features", "categories");
    assertThat(in.get("features").shape()).containsExactly(2, 3);
    assertThat(in.get("features").floats()).containsExactly(40f, 3.25f, 1.5f, 7f, 1e6f, 1.8f);
    assertThat(in.get("categories").shape()).containsExactly(2, 1);
    assertThat(in.get("categories").elements())
        .extracting(b -> new String(b, StandardCharsets.UTF_8))
        .containsExactly("Oslo", "");
  }

  @Test
  void anInputSentWholeMixesWithColumnsOfAnother() {
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("city", Tensor.ofStrings(new long[] {1}, "Bergen"));
    given.put("features", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
    Map<String, Tensor> in = ColumnInputs.assemble(given, TABULAR);
    assertThat(in.get("features")).isSameAs(given.get("features"));
    assertThat(in.get("categories").elements()).hasSize(1);
  }

  @Test
  void positionalRequestsAndModelsWithoutColumnsAreUntouched() {
    Map<String, Tensor> positional =
        Map.of(
            "features", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3),
            "categories", Tensor.ofStrings(new long[] {1, 1}, "x"));
    assertThat(ColumnInputs.assemble(positional, TABULAR)).isSameAs(positional);
    Map<String, Tensor> misnamed = Map.of("featurez", Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3));
    assertThat(ColumnInputs.assemble(misnamed, TABULAR)).isSameAs(misnamed); // the usual "unknown input" follows
    ModelSignature plain =
        new ModelSignature(
            List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 1})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));
    Map<String, Tensor> age = Map.of("age", Tensor.ofFloats(new long[] {1}, 1));
    assertThat(ColumnInputs.assemble(age, plain)).isSameAs(age);
  }

  @Test
  void missingAndUnknownColumnsAreNamed() {
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("age", Tensor.ofFloats(new long[] {1}, 1));
    given.put("colour", Tensor.ofFloats(new long[] {1}, 1));
    assertInvalid(given, "missing column(s) 'income', 'height', 'city'; unknown column(s) 'colour'");
  }

  @Test
  void rowCountsShapesAndDatatypesAreCheckedPerColumn() {
    Map<String, Tensor> given = complete();
    given.put("income", Tensor.ofFloats(new long[] {3}, 1, 2, 3));
    assertInvalid(given, "column 'income' has 3 rows; column 'age' has 2");
    given = complete();
    given.put("city", Tensor.ofStrings(new long[] {1}, "Oslo"));
    assertInvalid(given, "column 'city' has 1 rows; column 'age' has 2");
    given = complete();
    given.put("height", Tensor.ofFloats(new long[] {1, 2}, 1, 2));
    assertInvalid(given, "column 'height': shape [1, 2] (expected: [N] or [N, 1])");
    given = complete();
    given.put("age", Tensor.ofStrings(new long[] {2}, "40", "7"));
    assertInvalid(given, "column 'age': datatype BYTES (expected: FP32 or another numeric datatype)");
    given = complete();
    given.put("city", Tensor.ofFloats(new long[] {2}, 1, 2));
    assertInvalid(given, "column 'city': datatype FP32 (expected: BYTES)");
  }

  private static Map<String, Tensor> complete() {
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("age", Tensor.ofFloats(new long[] {2}, 1, 2));
    given.put("income", Tensor.ofFloats(new long[] {2}, 1, 2));
    given.put("height", Tensor.ofFloats(new long[] {2}, 1, 2));
    given.put("city", Tensor.ofStrings(new long[] {2}, "a", "b"));
    return given;
  }

  private static void assertInvalid(Map<String, Tensor> given, String message) {
    assertThatThrownBy(() -> ColumnInputs.assemble(given, TABULAR))
        .isInstanceOf(KilnException.class)
        .hasMessage(message)
        .extracting(e -> ((KilnException) e).kind())
        .isEqualTo(ErrorKind.INVALID_ARGUMENT);
  }

  private static Tensor fp64(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values);
    return Tensor.of(DataType.FP64, new long[] {values.length}, b);
  }
}
