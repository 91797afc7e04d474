package dev.kiln.core.serving;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a model's named columns go through before its own preprocessing, so that a client sends raw values: a model
 * trained on data whose personal columns were hashed or masked at upload gets the same hash or prefix at serve time,
 * and a column dropped at upload is ignored when a client sends it by name. Declared per model version by whoever knows
 * (the server reads a trained model's policy and resolves its key, {@link ColumnPolicies}); engines never see it.
 * Values are stripped first, and missing values ({@code "", NA, NaN, ?}) pass as they are, as at upload.
 *
 * @param dropped columns ignored when sent by name
 * @param hashKeys columns replaced by the hex HMAC-SHA256 of their value under the given key
 * @param masks columns cut to their first N characters (code points)
 */
public record ColumnTransforms(Set<String> dropped, Map<String, byte[]> hashKeys, Map<String, Integer> masks) {
  public static final ColumnTransforms NONE = new ColumnTransforms(Set.of(), Map.of(), Map.of());
  private static final Set<String> MISSING = Set.of("", "NA", "NaN", "?");

  public ColumnTransforms {
    dropped = Set.copyOf(dropped);
    hashKeys = Map.copyOf(hashKeys);
    masks = Map.copyOf(masks);
  }

  boolean isEmpty() {
    return dropped.isEmpty() && hashKeys.isEmpty() && masks.isEmpty();
  }

  /**
   * The request's inputs with dropped columns left out and hashed or masked BYTES columns transformed; inputs the
   * request names after the model's inputs (not columns) are left alone.
   *
   * @throws KilnException INVALID_ARGUMENT for a hashed or masked column sent as anything but BYTES
   */
  Map<String, Tensor> apply(Map<String, Tensor> given, ModelSignature sig) {
    if (isEmpty()) {
      return given;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : given.entrySet()) {
      String name = e.getKey();
      boolean input = sig.input(name).isPresent();
      if (!input && dropped.contains(name)) {
        continue;
      }
      boolean hashed = hashKeys.containsKey(name);
      if (input || (!hashed && !masks.containsKey(name))) {
        out.put(name, e.getValue());
        continue;
      }
      Tensor t = e.getValue();
      if (t.type() != DataType.BYTES) {
        throw KilnException.invalid("column '" + name + "': datatype " + t.type() + " (expected: BYTES)");
      }
      Mac mac = hashed ? mac(hashKeys.get(name)) : null;
      List<byte[]> values = new ArrayList<>(t.elements().size());
      for (byte[] raw : t.elements()) {
        String v = new String(raw, StandardCharsets.UTF_8);
        values.add(
            (MISSING.contains(v.strip()) ? v : hashed ? hash(mac, v.strip()) : mask(v.strip(), masks.get(name)))
                .getBytes(StandardCharsets.UTF_8));
      }
      out.put(name, Tensor.ofBytes(t.shape(), values.toArray(byte[][]::new)));
    }
    return out;
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static String hash(Mac mac, String v) {
    return HexFormat.of().formatHex(mac.doFinal(v.getBytes(StandardCharsets.UTF_8)));
  }

  private static String mask(String v, int keep) {
    return v.codePointCount(0, v.length()) <= keep ? v : v.substring(0, v.offsetByCodePoints(0, keep));
  }
}
