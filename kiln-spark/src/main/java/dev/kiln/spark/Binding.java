package dev.kiln.spark;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How a DataFrame's columns become a model version's inputs, and its outputs new columns; planned on the driver against
 * the DataFrame's schema, so a missing or mistyped column fails before any task starts.
 *
 * <p>A Kiln-trained tabular model names the raw columns of each input ({@code kiln.columns}): those columns are read by
 * name, numbers as numbers (null as NaN, Kiln's missing value, as a CSV's empty cell is) and text as text. Any other
 * model reads each input from one column of arrays or ML vectors, by default the column named as the input.
 */
record Binding(List<Input> inputs, List<Output> outputs) implements Serializable {
  /**
   * @param fields the DataFrame fields read, in order: a tabular input's columns, else the one array column
   * @param shape the tensor's shape without the batch dimension; {@code [-1]} takes the width from the rows
   */
  record Input(String name, DataType type, int[] fields, List<String> columns, long[] shape, boolean arrays)
      implements Serializable {
    int width() {
      return arrays ? (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b) : fields.length;
    }
  }

  /** One output as one column: a scalar when the model gives one value per row, else an array. */
  record Output(String name, String column, DataType type, boolean scalar) implements Serializable {
    org.apache.spark.sql.types.DataType sparkType() {
      org.apache.spark.sql.types.DataType element = element(type);
      return scalar ? element : DataTypes.createArrayType(element, false);
    }
  }

  private static final Set<DataType> NUMERIC = Set.of(DataType.FP32, DataType.FP64, DataType.INT32, DataType.INT64);

  /**
   * @param inputCols columns for the inputs of a model that names no columns, in input order; empty: the inputs' names
   * @param outputs the outputs to add; empty: all of them
   * @param outputCols their column names, in the same order; empty: the outputs' names
   */
  static Binding plan(
      String label,
      ModelSignature sig,
      StructType schema,
      List<String> inputCols,
      List<String> outputs,
      List<String> outputCols) {
    List<Input> in = new ArrayList<>();
    for (int i = 0; i < sig.inputs().size(); i++) {
      TensorSpec t = sig.inputs().get(i);
      if (!NUMERIC.contains(t.datatype()) && t.datatype() != DataType.BYTES) {
        throw new KilnException(ErrorKind.UNSUPPORTED, label + ": input '" + t.name() + "' is " + t.datatype());
      }
      if (!t.columns().isEmpty()) {
        in.add(tabular(label, t, schema));
      } else {
        String col = inputCols.isEmpty() ? t.name() : inputCols.get(Math.min(i, inputCols.size() - 1));
        if (!inputCols.isEmpty() && inputCols.size() != sig.inputs().size()) {
          throw KilnException.invalid(
              "inputCols: " + inputCols + " (expected: one column per input of " + label + ", " + names(sig) + ")");
        }
        in.add(arrays(label, t, col, schema));
      }
    }
    List<String> picked = outputs.isEmpty() ? sig.outputs().stream().map(TensorSpec::name).toList() : outputs;
    if (!outputCols.isEmpty() && outputCols.size() != picked.size()) {
      throw KilnException.invalid("outputCols: " + outputCols + " (expected: one name per output, " + picked + ")");
    }
    List<Output> out = new ArrayList<>();
    for (int i = 0; i < picked.size(); i++) {
      String name = picked.get(i);
      TensorSpec t =
          sig.output(name)
              .orElseThrow(() ->
                  KilnException.invalid(
                      label + " has no output '" + name + "' (its outputs: " + names(sig.outputs()) + ")"));
      element(t.datatype()); // refuses what Spark has no column type for
      out.add(new Output(name, outputCols.isEmpty() ? name : outputCols.get(i), t.datatype(), scalar(t)));
    }
    return new Binding(List.copyOf(in), List.copyOf(out));
  }

  /** The DataFrame's schema with the output columns added. */
  StructType outputSchema(StructType schema) {
    StructType s = schema;
    for (Output o : outputs) {
      if (Arrays.asList(s.fieldNames()).contains(o.column())) {
        throw KilnException.invalid(
            "output column '" + o.column() + "' is already in the DataFrame; name the outputs' columns (outputCols)");
      }
      s = s.add(o.column(), o.sparkType(), true);
    }
    return s;
  }

  private static Input tabular(String label, TensorSpec t, StructType schema) {
    List<String> have = Arrays.asList(schema.fieldNames());
    int[] fields = new int[t.columns().size()];
    for (int i = 0; i < fields.length; i++) {
      String c = t.columns().get(i);
      if (!have.contains(c)) {
        throw KilnException.invalid(
            "column '"
                + c
                + "' is missing: "
                + label
                + " reads it (input '"
                + t.name()
                + "', columns "
                + t.columns()
                + "); the DataFrame has "
                + have);
      }
      fields[i] = schema.fieldIndex(c);
      StructField f = schema.fields()[fields[i]];
      if (NUMERIC.contains(t.datatype())
          && !(f.dataType() instanceof NumericType)
          && f.dataType() != DataTypes.BooleanType) {
        throw KilnException.invalid(
            "column '" + c + "' is " + f.dataType().simpleString() + "; " + label + " reads it as a number");
      }
    }
    return new Input(t.name(), t.datatype(), fields, t.columns(), new long[] {fields.length}, false);
  }

  private static Input arrays(String label, TensorSpec t, String col, StructType schema) {
    if (!Arrays.asList(schema.fieldNames()).contains(col)) {
      throw KilnException.invalid(
          "column '"
              + col
              + "' is missing: "
              + label
              + " reads input '"
              + t.name()
              + "' from it (set inputCols to read another); the DataFrame has "
              + Arrays.asList(schema.fieldNames()));
    }
    int field = schema.fieldIndex(col);
    org.apache.spark.sql.types.DataType type = schema.fields()[field].dataType();
    boolean ok =
        type.sameType(SQLDataTypes.VectorType())
            || (type instanceof ArrayType a
                && (a.elementType() instanceof NumericType || a.elementType() == DataTypes.StringType));
    if (!ok) {
      throw KilnException.invalid(
          "column '" + col + "' is " + type.simpleString() + "; input '" + t.name() + "' takes arrays or vectors");
    }
    long[] s = t.shape();
    long[] rest = s.length <= 1 ? new long[] {1} : Arrays.copyOfRange(s, 1, s.length);
    if (Arrays.stream(rest).anyMatch(d -> d < 0)) {
      rest = new long[] {-1}; // the width comes from the rows; the model checks it
    }
    return new Input(t.name(), t.datatype(), new int[] {field}, List.of(col), rest, true);
  }

  /** Whether an output gives one value per row (a scalar column) rather than an array. */
  static boolean scalar(TensorSpec t) {
    long[] s = t.shape();
    return s.length <= 1 || Arrays.stream(s, 1, s.length).allMatch(d -> d == 1);
  }

  static org.apache.spark.sql.types.DataType element(DataType t) {
    return switch (t) {
      case FP32 -> DataTypes.FloatType;
      case FP64 -> DataTypes.DoubleType;
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case BOOL -> DataTypes.BooleanType;
      case BYTES -> DataTypes.StringType;
      default -> throw new KilnException(ErrorKind.UNSUPPORTED, "outputs of type " + t + " have no Spark column type");
    };
  }

  private static String names(ModelSignature sig) {
    return names(sig.inputs());
  }

  private static String names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
  }
}
