package dev.kiln.scoring;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which cells of a dataset row fill which model input: by column name for a model that declares its columns (a
 * Kiln-trained tabular model: FP32 and BYTES inputs), else, for a model with one FP32 input {@code [N, k]}, the row's k
 * columns other than the id column, in file order. Decided once per job from the header, so a dataset that does not fit
 * is refused at submission.
 */
final class InputColumns {
  private final List<TensorSpec> inputs;
  private final List<int[]> cells;

  private InputColumns(List<TensorSpec> inputs, List<int[]> cells) {
    this.inputs = inputs;
    this.cells = cells;
  }

  /**
   * @throws KilnException INVALID_ARGUMENT naming the dataset's missing columns, or the model that batch scoring cannot
   *     feed
   */
  static InputColumns of(ModelSignature sig, List<String> header, Optional<String> idColumn) {
    idColumn.ifPresent(id -> {
      if (!header.contains(id)) {
        throw invalid("id_column", "'" + id + "' is not a column of the dataset");
      }
    });
    List<TensorSpec> inputs = sig.inputs();
    List<int[]> cells = new ArrayList<>();
    if (!inputs.isEmpty() && inputs.stream().allMatch(t -> !t.columns().isEmpty())) {
      List<String> missing = new ArrayList<>();
      for (TensorSpec t : inputs) {
        requireType(t);
        cells.add(
            t.columns().stream()
                .mapToInt(c -> {
                  int i = header.indexOf(c);
                  if (i < 0) {
                    missing.add("'" + c + "'");
                  }
                  return i;
                })
                .toArray());
      }
      if (!missing.isEmpty()) {
        throw invalid("dataset", "missing column(s) " + String.join(", ", missing) + " the model needs");
      }
      return new InputColumns(inputs, cells);
    }
    if (inputs.size() != 1 || inputs.get(0).shape().length != 2 || inputs.get(0).shape()[1] < 1) {
      throw invalid("model", "batch scoring needs a model whose inputs name their columns, or one FP32 input [N, k]");
    }
    TensorSpec t = inputs.get(0);
    requireType(t);
    List<Integer> features = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      if (idColumn.isEmpty() || !header.get(i).equals(idColumn.get())) {
        features.add(i);
      }
    }
    long k = t.shape()[1];
    if (features.size() != k) {
      throw invalid(
          "dataset", features.size() + " feature columns (expected: " + k + " for input '" + t.name() + "' " + t + ")");
    }
    cells.add(features.stream().mapToInt(Integer::intValue).toArray());
    return new InputColumns(inputs, cells);
  }

  /** The model's inputs for {@code rows}, each {@code [rows, k]}; {@code first} numbers the rows in messages. */
  Map<String, Tensor> tensors(List<String[]> rows, long first) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      TensorSpec t = inputs.get(i);
      int[] at = cells.get(i);
      long[] shape = {rows.size(), at.length};
      if (t.datatype() == DataType.BYTES) {
        String[] v = new String[rows.size() * at.length];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < at.length; c++) {
            v[r * at.length + c] = rows.get(r)[at[c]];
          }
        }
        out.put(t.name(), Tensor.ofStrings(shape, v));
      } else {
        float[] v = new float[rows.size() * at.length];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < at.length; c++) {
            v[r * at.length + c] = number(rows.get(r)[at[c]], first + r, at[c]);
          }
        }
        out.put(t.name(), Tensor.ofFloats(shape, v));
      }
    }
    return out;
  }

  /** A cell as a number: empty, {@code NA}, {@code NaN} or {@code ?} is a missing value (NaN), as at upload. */
  private static float number(String cell, long row, int column) {
    String s = cell.strip();
    if (s.isEmpty() || s.equalsIgnoreCase("NA") || s.equalsIgnoreCase("NaN") || s.equals("?")) {
      return Float.NaN;
    }
    try {
      return Float.parseFloat(s);
    } catch (NumberFormatException e) {
      String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT,
          "dataset row " + row + ", column " + (column + 1) + ": '" + shown + "' is not a number");
    }
  }

  private static void requireType(TensorSpec t) {
    if (t.datatype() != DataType.FP32 && t.datatype() != DataType.BYTES) {
      throw invalid("model", "input '" + t.name() + "' is " + t.datatype() + " (batch scoring feeds FP32 and BYTES)");
    }
  }

  private static KilnException invalid(String field, String what) {
    return ScoringRequest.invalid(field, what);
  }
}
