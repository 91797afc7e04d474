package dev.kiln.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BytesLayoutTest {
  private static ByteBuffer layout(int... lengthsThenNothing) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (int n : lengthsThenNothing) {
      b.putInt(n);
    }
    return b.flip();
  }

  @Test
  void encodeThenDecodeGivesTheSameElementsAndLeavesTheBufferWhereItWas() {
    Tensor t = Tensor.ofStrings(new long[] {1, 3}, "ab", "", "héllo");
    ByteBuffer wire = BytesLayout.encode(t);
    assertThat(wire.remaining()).isEqualTo(t.binarySize()).isEqualTo(3 * 4 + 2 + 6);
    assertThat(wire.order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(2);
    Tensor back = BytesLayout.decode(new long[] {1, 3}, wire, "data");
    assertThat(back.elements())
        .extracting(e -> new String(e, StandardCharsets.UTF_8))
        .containsExactly("ab", "", "héllo");
    assertThat(wire.position()).isZero();
    assertThat(BytesLayout.count(wire, "data")).isEqualTo(3);
  }

  @Test
  void aShapeThatClaimsMoreElementsThanThePrefixesThatFitIsRefusedBeforeAllocating() {
    assertInvalid(
        () -> BytesLayout.decode(new long[] {Integer.MAX_VALUE}, layout(0, 0), "raw_input_contents"),
        "raw_input_contents has 8 bytes, too few for the 2147483647 BYTES elements");
  }

  @Test
  void lengthsAreCheckedAgainstWhatIsThere() {
    ByteBuffer claimsTen =
        ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(10).put((byte) 1).put((byte) 2).flip();
    assertInvalid(
        () -> BytesLayout.decode(new long[] {1}, claimsTen, "binary data"),
        "BYTES element 0",
        "says 10 bytes but only 2 remain",
        "runs past the end of binary data");
    ByteBuffer cutPrefix =
        ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(0).put((byte) 1).put((byte) 0).flip();
    assertInvalid(() -> BytesLayout.count(cutPrefix, "body"), "BYTES element 1: length prefix runs past the end");
    assertInvalid(() -> BytesLayout.decode(new long[] {1}, layout(0, 0), "x"), "4 bytes left after the 1 BYTES");
    ByteBuffer huge = layout(-1);
    assertInvalid(() -> BytesLayout.decode(new long[] {1}, huge, "x"), "says 4294967295 bytes");
  }

  private static void assertInvalid(Runnable r, String... parts) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContainingAll(parts);
  }
}
