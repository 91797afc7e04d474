package dev.kiln.scoring;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Predictions as CSV lines: the row's id (the id column's value, or its 0-based index in the dataset as {@code row}),
 * then each output in the model's declared order, one column per value of a row ({@code score}, or {@code logits_0},
 * {@code logits_1}, ... for several). Numbers as Java writes the shortest exact text for them; text quoted as RFC 4180
 * has it.
 */
final class PredictionCsv {
  private PredictionCsv() {}

  /** The header row for a response's outputs. */
  static String header(String idName, List<TensorSpec> specs, Map<String, Tensor> outputs) {
    StringBuilder b = new StringBuilder(quote(idName));
    for (String name : names(specs, outputs)) {
      Tensor t = outputs.get(name);
      long width = width(t);
      for (long i = 0; i < width; i++) {
        b.append(',').append(quote(width == 1 ? name : name + "_" + i));
      }
    }
    return b.append('\n').toString();
  }

  /** Appends one line per row of {@code outputs}, the rows named by {@code ids}. */
  static void rows(StringBuilder out, List<String> ids, List<TensorSpec> specs, Map<String, Tensor> outputs) {
    List<String> names = names(specs, outputs);
    for (int r = 0; r < ids.size(); r++) {
      out.append(quote(ids.get(r)));
      for (String name : names) {
        Tensor t = outputs.get(name);
        long width = width(t);
        for (long i = 0; i < width; i++) {
          out.append(',').append(cell(t, Math.toIntExact(r * width + i)));
        }
      }
      out.append('\n');
    }
  }

  /** The declared outputs the response has, in declared order; a response's own order where nothing is declared. */
  private static List<String> names(List<TensorSpec> specs, Map<String, Tensor> outputs) {
    List<String> declared = specs.stream().map(TensorSpec::name).filter(outputs::containsKey).toList();
    return declared.isEmpty() ? List.copyOf(outputs.keySet()) : declared;
  }

  private static long width(Tensor t) {
    return t.rows() == 0 ? 0 : t.elementCount() / t.rows();
  }

  private static String cell(Tensor t, int i) {
    if (t.type() == DataType.BYTES) {
      return quote(new String(t.elements().get(i), StandardCharsets.UTF_8));
    }
    ByteBuffer b = t.data();
    return switch (t.type()) {
      case FP32 -> Float.toString(b.getFloat(i * 4));
      case FP64 -> Double.toString(b.getDouble(i * 8));
      case FP16 -> Float.toString(Float.float16ToFloat(b.getShort(i * 2)));
      case BF16 -> Float.toString(Float.intBitsToFloat(b.getShort(i * 2) << 16));
      case INT64 -> Long.toString(b.getLong(i * 8));
      case UINT64 -> Long.toUnsignedString(b.getLong(i * 8));
      case INT32 -> Integer.toString(b.getInt(i * 4));
      case UINT32 -> Integer.toUnsignedString(b.getInt(i * 4));
      case INT16 -> Short.toString(b.getShort(i * 2));
      case UINT16 -> Integer.toString(Short.toUnsignedInt(b.getShort(i * 2)));
      case INT8 -> Byte.toString(b.get(i));
      case UINT8 -> Integer.toString(Byte.toUnsignedInt(b.get(i)));
      case BOOL -> b.get(i) != 0 ? "true" : "false";
      case BYTES -> throw new IllegalStateException("BYTES is handled above");
    };
  }

  static String quote(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
