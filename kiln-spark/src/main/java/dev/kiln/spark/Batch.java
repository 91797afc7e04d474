package dev.kiln.spark;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One model call for a batch of rows: the rows' cells become one tensor per input ({@code [rows, width]}, written once
 * into a direct buffer that ONNX Runtime reads in place), and each output tensor's rows become the rows' new cells.
 */
final class Batch {
  private Batch() {}

  /** The output cells of each row, in {@link Binding#outputs()} order. */
  static Object[][] score(ModelInstance model, Binding b, List<Row> rows) {
    Map<String, Tensor> in = new HashMap<>();
    for (Binding.Input i : b.inputs()) {
      in.put(i.name(), tensor(i, rows));
    }
    Set<String> names = new LinkedHashSet<>();
    b.outputs().forEach(o -> names.add(o.name()));
    Map<String, Tensor> out = model.run(in, names);
    Object[][] cells = new Object[rows.size()][b.outputs().size()];
    for (int k = 0; k < b.outputs().size(); k++) {
      Binding.Output o = b.outputs().get(k);
      Tensor t = out.get(o.name());
      if (t == null || t.rows() != rows.size()) {
        throw new IllegalStateException("output '" + o.name() + "' came back without one row per input row");
      }
      int width = Math.toIntExact(t.elementCount() / Math.max(1, rows.size()));
      for (int r = 0; r < rows.size(); r++) {
        cells[r][k] = o.scalar() ? value(t, r) : slice(t, r * width, width);
      }
    }
    return cells;
  }

  private static Tensor tensor(Binding.Input in, List<Row> rows) {
    int n = rows.size();
    List<double[]> numbers = new ArrayList<>(n);
    List<String[]> texts = new ArrayList<>(n);
    int width = -1;
    for (Row row : rows) {
      Object[] cells = cells(in, row);
      if (width >= 0 && cells.length != width) {
        throw KilnException.invalid(
            "column '" + in.columns().get(0) + "' holds arrays of " + width + " and " + cells.length + " values");
      }
      width = cells.length;
      if (in.type() == DataType.BYTES) {
        String[] s = new String[width];
        for (int c = 0; c < width; c++) {
          s[c] = cells[c] == null ? "" : String.valueOf(cells[c]);
        }
        texts.add(s);
      } else {
        double[] d = new double[width];
        for (int c = 0; c < width; c++) {
          d[c] = number(cells[c]);
        }
        numbers.add(d);
      }
    }
    long[] shape = shape(in, n, Math.max(width, 0));
    if (in.type() == DataType.BYTES) {
      return Tensor.ofStrings(shape, texts.stream().flatMap(Arrays::stream).toArray(String[]::new));
    }
    return numeric(in.type(), shape, numbers, Math.max(width, 0));
  }

  private static long[] shape(Binding.Input in, int n, int width) {
    long[] s = in.shape();
    if (s.length == 1 && s[0] < 0) {
      s = new long[] {width};
    }
    long[] full = new long[s.length + 1];
    full[0] = n;
    System.arraycopy(s, 0, full, 1, s.length);
    return full;
  }

  private static Object[] cells(Binding.Input in, Row row) {
    if (!in.arrays()) {
      Object[] c = new Object[in.fields().length];
      for (int i = 0; i < c.length; i++) {
        c[i] = row.get(in.fields()[i]);
      }
      return c;
    }
    Object v = row.get(in.fields()[0]);
    if (v == null) {
      throw KilnException.invalid("column '" + in.columns().get(0) + "' is null in a row; input '" + in.name() + "'");
    }
    if (v instanceof Vector vec) {
      return Arrays.stream(vec.toArray()).boxed().toArray();
    }
    return row.getList(in.fields()[0]).toArray();
  }

  private static double number(Object v) {
    return switch (v) {
      case null -> Double.NaN; // Kiln's missing value, as an empty CSV cell is
      case Number x -> x.doubleValue();
      case Boolean x -> x ? 1 : 0;
      default -> throw KilnException.invalid("not a number: " + v.getClass().getSimpleName());
    };
  }

  /**
   * Cells travel as doubles, exact for every float, int and double and for longs up to 2^53 (a feature column beyond
   * that is an id, not something a model reads as a number).
   */
  private static Tensor numeric(DataType type, long[] shape, List<double[]> rows, int width) {
    int size = type == DataType.FP32 || type == DataType.INT32 ? 4 : 8;
    ByteBuffer b = ByteBuffer.allocateDirect(rows.size() * width * size).order(ByteOrder.LITTLE_ENDIAN);
    for (double[] r : rows) {
      for (double d : r) {
        switch (type) {
          case FP32 -> b.putFloat((float) d);
          case FP64 -> b.putDouble(d);
          case INT32 -> b.putInt((int) d);
          default -> b.putLong((long) d);
        }
      }
    }
    return Tensor.of(type, shape, b.flip());
  }

  private static Object value(Tensor t, int i) {
    return switch (t.type()) {
      case FP32 -> t.data().getFloat(i * 4);
      case FP64 -> t.data().getDouble(i * 8);
      case INT32 -> t.data().getInt(i * 4);
      case INT64 -> t.data().getLong(i * 8);
      case BOOL -> t.data().get(i) != 0;
      case BYTES -> new String(t.elements().get(i), StandardCharsets.UTF_8);
      default -> throw new IllegalStateException("no Spark value for " + t.type());
    };
  }

  /** A row's values of an array output, as the Scala sequence Spark's row encoder takes (it refuses a Java list). */
  private static Seq<Object> slice(Tensor t, int from, int count) {
    List<Object> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(value(t, from + i));
    }
    return CollectionConverters.asScala(out);
  }
}
