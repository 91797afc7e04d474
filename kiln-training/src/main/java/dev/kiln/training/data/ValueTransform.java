package dev.kiln.training.data;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What a {@link ColumnPolicy} does to one column's values: keep, drop, keyed hash or prefix. */
sealed interface ValueTransform {
  /** The stored value; empty when the column is dropped. */
  Optional<String> apply(String raw);

  /** The column's header name; empty when it is dropped. */
  default Optional<String> keepsColumn(String name) {
    return Optional.of(name);
  }

  static ValueTransform of(ColumnPolicy policy, String column, Optional<byte[]> key) {
    if (policy.drop().contains(column)) {
      return new Drop();
    }
    if (policy.hash().contains(column)) {
      return new Hash(key.orElseThrow());
    }
    Integer keep = policy.mask().get(column);
    return keep == null ? new Keep() : new Mask(keep);
  }

  record Keep() implements ValueTransform {
    @Override
    public Optional<String> apply(String raw) {
      return Optional.of(raw);
    }
  }

  record Drop() implements ValueTransform {
    @Override
    public Optional<String> apply(String raw) {
      return Optional.empty();
    }

    @Override
    public Optional<String> keepsColumn(String name) {
      return Optional.empty();
    }
  }

  /**
   * Hex HMAC-SHA256 of the stripped value's UTF-8 bytes; a missing value stays missing. One {@link Mac}, so one
   * upload's rows (a single thread) share it.
   */
  final class Hash implements ValueTransform {
    private final Mac mac;

    Hash(byte[] key) {
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
      }
    }

    @Override
    public Optional<String> apply(String raw) {
      if (MissingValues.isMissing(raw)) {
        return Optional.of(raw);
      }
      return Optional.of(HexFormat.of().formatHex(mac.doFinal(raw.strip().getBytes(StandardCharsets.UTF_8))));
    }
  }

  /** The stripped value's first {@code keep} characters (code points); a missing value stays missing. */
  record Mask(int keep) implements ValueTransform {
    @Override
    public Optional<String> apply(String raw) {
      if (MissingValues.isMissing(raw)) {
        return Optional.of(raw);
      }
      String v = raw.strip();
      int n = v.codePointCount(0, v.length());
      return Optional.of(n <= keep ? v : v.substring(0, v.offsetByCodePoints(0, keep)));
    }
  }
}
