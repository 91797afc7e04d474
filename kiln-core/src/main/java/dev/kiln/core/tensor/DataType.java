package dev.kiln.core.tensor;

import dev.kiln.core.error.KilnException;
import java.util.Locale;
import java.util.Optional;

/** Open Inference Protocol datatypes, with their element size in bytes ({@code -1} for variable-size BYTES). */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  BF16(2),
  FP32(4),
  FP64(8),
  BYTES(-1);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element, or {@code -1} for BYTES whose elements vary in length. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** Parses a protocol datatype name; also accepts Triton config names such as {@code TYPE_FP32}. */
  public static Optional<DataType> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.toUpperCase(Locale.ROOT);
    if (n.startsWith("TYPE_")) {
      n = n.substring(5);
    }
    if (n.equals("STRING")) {
      n = "BYTES";
    }
    try {
      return Optional.of(valueOf(n));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a datatype coming from a request, failing with a caller-facing message. Only the protocol's own names are
   * accepted, upper case as the protocol spells them ({@code "fp32"} is refused, as Triton refuses it).
   */
  public static DataType require(String name) {
    for (DataType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    String shown = name == null ? "null" : name.length() > 40 ? name.substring(0, 40) + "..." : name;
    Optional<DataType> near = parse(name);
    throw KilnException.invalid(
        "unknown datatype: "
            + shown
            + near.map(t -> " (datatypes are spelled as the protocol does: " + t.name() + ")").orElse(""));
  }
}
