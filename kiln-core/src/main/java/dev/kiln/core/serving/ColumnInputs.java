package dev.kiln.core.serving;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Named inputs: a request whose inputs are named after the columns a model declares ({@link TensorSpec#columns()}), one
 * tensor of shape {@code [N]} or {@code [N, 1]} per column, assembled into the model's input tensors {@code [N, k]} in
 * declared column order. It lives in the core so that OIP REST, OIP gRPC and {@code /predict} accept the same requests
 * and refuse them with the same messages.
 *
 * <p>A numeric input takes columns of any numeric datatype (converted as NumPy's {@code astype} would: a dataframe's
 * INT64 or FP64 column fills an FP32 input); a BYTES input (a trained model's raw categorical columns) takes BYTES
 * columns. An input the request names itself is taken as sent, so a request may mix the two forms.
 */
final class ColumnInputs {
  private ColumnInputs() {}

  /**
   * The model's inputs, assembled from columns where the request names columns; {@code given} itself when it names none
   * (positional requests, and models that declare no columns, are untouched).
   *
   * @throws KilnException INVALID_ARGUMENT naming missing and unknown columns, a column of the wrong shape or datatype,
   *     or columns that disagree on the row count
   */
  static Map<String, Tensor> assemble(Map<String, Tensor> given, ModelSignature sig) {
    if (!namesColumns(given, sig)) {
      return given;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    Set<String> used = new HashSet<>();
    List<String> missing = new ArrayList<>();
    List<TensorSpec> assembled = new ArrayList<>();
    for (TensorSpec spec : sig.inputs()) {
      if (given.containsKey(spec.name())) {
        out.put(spec.name(), given.get(spec.name()));
        used.add(spec.name());
      } else if (!spec.columns().isEmpty()) {
        assembled.add(spec);
        spec.columns().forEach(c -> (given.containsKey(c) ? used : missing).add(c));
      }
    }
    List<String> unknown = given.keySet().stream().filter(n -> !used.contains(n)).toList();
    if (!missing.isEmpty() || !unknown.isEmpty()) {
      throw KilnException.invalid(problem(missing, unknown));
    }
    long rows = checkColumns(given, assembled);
    for (TensorSpec spec : assembled) {
      out.put(spec.name(), join(spec, given, Math.toIntExact(rows)));
    }
    return out;
  }

  /** Whether the request names a column that is not also the name of an input. */
  private static boolean namesColumns(Map<String, Tensor> given, ModelSignature sig) {
    Set<String> columns = new HashSet<>();
    sig.inputs().forEach(t -> columns.addAll(t.columns()));
    return given.keySet().stream().anyMatch(n -> columns.contains(n) && sig.input(n).isEmpty());
  }

  /** Checks every column's shape and datatype before anything is allocated; returns the common row count. */
  private static long checkColumns(Map<String, Tensor> given, List<TensorSpec> assembled) {
    long rows = -1;
    String first = "";
    for (TensorSpec spec : assembled) {
      for (String c : spec.columns()) {
        Tensor t = given.get(c);
        long[] s = t.shape();
        if (!(s.length == 1 || (s.length == 2 && s[1] == 1))) {
          throw KilnException.invalid("column '" + c + "': shape " + Shape.format(s) + " (expected: [N] or [N, 1])");
        }
        if (!fits(t.type(), spec.datatype())) {
          throw KilnException.invalid(
              "column '" + c + "': datatype " + t.type() + " (expected: " + expected(spec.datatype()) + ")");
        }
        if (rows < 0) {
          rows = s[0];
          first = c;
        } else if (s[0] != rows) {
          throw KilnException.invalid("column '" + c + "' has " + s[0] + " rows; column '" + first + "' has " + rows);
        }
      }
    }
    return rows;
  }

  private static boolean fits(DataType column, DataType input) {
    return column == input || (NumericCells.isNumeric(column) && NumericCells.isNumeric(input));
  }

  private static String expected(DataType input) {
    return NumericCells.isNumeric(input) ? input + " or another numeric datatype" : input.name();
  }

  /** The input {@code [rows, k]}: column j of the request becomes entry j of every row. */
  private static Tensor join(TensorSpec spec, Map<String, Tensor> given, int rows) {
    List<String> names = spec.columns();
    int k = names.size();
    long[] shape = {rows, k};
    DataType type = spec.datatype();
    if (type == DataType.BYTES) {
      byte[][] cells = new byte[Math.multiplyExact(rows, k)][];
      for (int j = 0; j < k; j++) {
        List<byte[]> column = given.get(names.get(j)).elements();
        for (int i = 0; i < rows; i++) {
          cells[i * k + j] = column.get(i);
        }
      }
      return Tensor.ofBytes(shape, cells);
    }
    int size = type.byteSize();
    ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(rows, k), size));
    out.order(ByteOrder.LITTLE_ENDIAN);
    for (int j = 0; j < k; j++) {
      Tensor column = given.get(names.get(j));
      ByteBuffer in = column.data();
      for (int i = 0; i < rows; i++) {
        if (column.type() == type) {
          out.put((i * k + j) * size, in, i * size, size); // same datatype: the exact bytes
        } else {
          NumericCells.write(out, type, i * k + j, NumericCells.read(in, column.type(), i));
        }
      }
    }
    return Tensor.of(type, shape, out);
  }

  private static String problem(List<String> missing, List<String> unknown) {
    List<String> parts = new ArrayList<>();
    if (!missing.isEmpty()) {
      parts.add("missing column(s) " + quoted(missing));
    }
    if (!unknown.isEmpty()) {
      parts.add("unknown column(s) " + quoted(unknown));
    }
    return String.join("; ", parts);
  }

  private static String quoted(List<String> names) {
    return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
  }
}
