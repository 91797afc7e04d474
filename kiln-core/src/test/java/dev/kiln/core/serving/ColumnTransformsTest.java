package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ColumnTransformsTest {
  private static final byte[] KEY = new byte[32];
  private static final ModelSignature SIG =
      new ModelSignature(
          List.of(new TensorSpec("categories", DataType.BYTES, new long[] {-1, 2}, List.of("id", "zip"))), List.of());
  private static final ColumnTransforms T = new ColumnTransforms(Set.of("email"), Map.of("id", KEY), Map.of("zip", 2));

  private static Tensor bytes(String... values) {
    byte[][] cells = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      cells[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return Tensor.ofBytes(new long[] {values.length}, cells);
  }

  private static String text(Tensor t, int i) {
    return new String(t.elements().get(i), StandardCharsets.UTF_8);
  }

  @Test
  void hashesMasksAndDropsNamedColumnsAsTheUploadDid() throws Exception {
    Map<String, Tensor> given = new LinkedHashMap<>();
    given.put("id", bytes(" c1 ", "NA"));
    given.put("zip", bytes("SW1A 1AA", "E"));
    given.put("email", bytes("a@b.c", "d@e.f"));
    Map<String, Tensor> out = T.apply(given, SIG);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    assertThat(out.keySet()).containsExactly("id", "zip");
    assertThat(text(out.get("id"), 0))
        .isEqualTo(HexFormat.of().formatHex(mac.doFinal("c1".getBytes(StandardCharsets.UTF_8))));
    assertThat(text(out.get("id"), 1)).isEqualTo("NA");
    assertThat(text(out.get("zip"), 0)).isEqualTo("SW");
    assertThat(text(out.get("zip"), 1)).isEqualTo("E");
  }

  @Test
  void leavesModelInputsAndModelsWithoutPoliciesAlone() {
    Map<String, Tensor> given = Map.of("categories", bytes("c1", "x"));
    assertThat(text(T.apply(given, SIG).get("categories"), 0)).isEqualTo("c1");
    assertThat(ColumnTransforms.NONE.apply(given, SIG)).isSameAs(given);
    assertThatThrownBy(() -> T.apply(Map.of("id", Tensor.ofFloats(new long[] {1}, 1f)), SIG))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("column 'id'");
  }
}
