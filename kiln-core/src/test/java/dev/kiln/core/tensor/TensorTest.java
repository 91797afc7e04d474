package dev.kiln.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void ofRefusesAByteCountThatDoesNotMatchTheShapeAndNamesTheExpectedCount() {
    ByteBuffer elevenFloatsAndAByte = ByteBuffer.allocate(45);
    assertThatThrownBy(() -> Tensor.of(DataType.FP32, new long[] {3, 4}, elevenFloatsAndAByte))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("needs 48 bytes")
        .hasMessageContaining("got 45");
  }

  @Test
  void ofRefusesAnOverflowingShapeBeforeAllocating() {
    assertThatThrownBy(() -> Tensor.of(DataType.FP32, new long[] {16, (1L << 60) + 2}, ByteBuffer.allocate(64)))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
    assertThatThrownBy(() -> Tensor.zeros(DataType.FP32, new long[] {2, -3}))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
  }

  @Test
  void ofBytesRefusesAnElementCountThatDoesNotMatchTheShape() {
    assertThatThrownBy(() -> Tensor.ofStrings(new long[] {2, 2}, "a", "b", "c"))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("needs 4 elements, got 3");
  }

  @Test
  void dataIsLittleEndianAndReadOnly() {
    ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(-2).flip();
    Tensor t = Tensor.of(DataType.INT32, new long[] {2}, raw);

    assertThat(t.data().getInt(0)).isEqualTo(1);
    assertThat(t.data().getInt(4)).isEqualTo(-2);
    assertThat(t.data().isReadOnly()).isTrue();
    assertThat(t.binarySize()).isEqualTo(8);
  }

  @Test
  void fp32RowSlicesConcatenateBackToTheOriginal() {
    Random rnd = new Random(42);
    float[] values = new float[7 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = rnd.nextFloat() * 200 - 100;
    }
    Tensor t = Tensor.ofFloats(new long[] {7, 3}, values);

    List<Tensor> parts = List.of(t.rowSlice(0, 2), t.rowSlice(2, 0), t.rowSlice(2, 4), t.rowSlice(6, 1));
    assertThat(parts.get(2).shape()).containsExactly(4, 3);
    assertThat(parts.get(2).floats()).containsExactly(java.util.Arrays.copyOfRange(values, 6, 18), within(0f));

    Tensor joined = Tensor.concatRows(parts);
    assertThat(joined.type()).isEqualTo(DataType.FP32);
    assertThat(joined.shape()).containsExactly(7, 3);
    assertThat(joined.floats()).containsExactly(values, within(0f));
  }

  @Test
  void concatRowsJoinsTensorsOfDifferentRowCountsInOrder() {
    Tensor a = Tensor.ofFloats(new long[] {1, 2}, 1, 2);
    Tensor b = Tensor.ofFloats(new long[] {3, 2}, 3, 4, 5, 6, 7, 8);

    Tensor joined = Tensor.concatRows(List.of(b, a));

    assertThat(joined.shape()).containsExactly(4, 2);
    assertThat(joined.floats()).containsExactly(new float[] {3, 4, 5, 6, 7, 8, 1, 2}, within(0f));
  }

  @Test
  void bytesRowSlicesConcatenateBackToTheOriginal() {
    String[] words = {"a", "", "ünï", "dd", "e", "ffff"};
    Tensor t = Tensor.ofStrings(new long[] {3, 2}, words);

    Tensor middle = t.rowSlice(1, 1);
    assertThat(middle.shape()).containsExactly(1, 2);
    assertThat(strings(middle)).containsExactly("ünï", "dd");
    assertThat(middle.binarySize()).isEqualTo(4 + "ünï".getBytes(StandardCharsets.UTF_8).length + 4 + 2);

    Tensor joined = Tensor.concatRows(List.of(t.rowSlice(0, 1), middle, t.rowSlice(2, 1)));
    assertThat(joined.type()).isEqualTo(DataType.BYTES);
    assertThat(joined.shape()).containsExactly(3, 2);
    assertThat(strings(joined)).containsExactly(words);
  }

  @Test
  void concatRowsRefusesMismatchedTrailingDimensionsRanksAndTypes() {
    Tensor twoWide = Tensor.ofFloats(new long[] {1, 2}, 1, 2);
    Tensor threeWide = Tensor.ofFloats(new long[] {1, 3}, 1, 2, 3);
    Tensor flat = Tensor.ofFloats(new long[] {2}, 1, 2);
    Tensor ints = Tensor.ofInts(new long[] {1, 2}, 1, 2);

    assertThatThrownBy(() -> Tensor.concatRows(List.of(twoWide, threeWide)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not stack");
    assertThatThrownBy(() -> Tensor.concatRows(List.of(twoWide, flat)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not stack");
    assertThatThrownBy(() -> Tensor.concatRows(List.of(twoWide, ints)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not stack");
    assertThatThrownBy(() ->
            Tensor.concatRows(
                List.of(Tensor.ofStrings(new long[] {1, 1}, "x"), Tensor.ofStrings(new long[] {1, 2}, "y", "z"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("do not stack");
  }

  @Test
  void rowSliceRefusesRowsOutsideTheTensor() {
    Tensor t = Tensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4);
    assertThatThrownBy(() -> t.rowSlice(1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.rowSlice(-1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zerosHasTheShapeAndOnlyZeroElements() {
    assertThat(Tensor.zeros(DataType.FP32, new long[] {2, 3}).floats()).hasSize(6).containsOnly(0f);
    Tensor empty = Tensor.zeros(DataType.BYTES, new long[] {2});
    assertThat(empty.elements()).hasSize(2).allSatisfy(e -> assertThat(e).isEmpty());
  }

  @Test
  void dataTypeParsesProtocolAndTritonConfigNames() {
    assertThat(DataType.parse("fp32")).contains(DataType.FP32);
    assertThat(DataType.parse("TYPE_INT64")).contains(DataType.INT64);
    assertThat(DataType.parse("TYPE_STRING")).contains(DataType.BYTES);
    assertThat(DataType.parse("FP128")).isEmpty();
    assertThatThrownBy(() -> DataType.require("FP128"))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("FP128");
  }

  private static List<String> strings(Tensor t) {
    List<String> out = new ArrayList<>();
    t.elements().forEach(e -> out.add(new String(e, StandardCharsets.UTF_8)));
    return out;
  }
}
