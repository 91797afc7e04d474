package dev.kiln.spark;

import dev.kiln.core.engine.ModelInstance;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition on an executor: takes the executor's session for the version (loading and verifying it on the
 * first task), then reads {@code batchSize} rows at a time, so memory holds one batch whatever the partition's size.
 */
record PartitionScorer(ArtifactSource source, VersionRef ref, Binding binding, int batchSize)
    implements MapPartitionsFunction<Row, Row> {
  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return rows; // an empty partition loads nothing
    }
    ModelInstance model = LoadedModels.session(source, ref);
    return new Iterator<>() {
      private final List<Row> batch = new ArrayList<>(batchSize);
      private Object[][] cells = new Object[0][];
      private int next;

      @Override
      public boolean hasNext() {
        return next < batch.size() || rows.hasNext();
      }

      @Override
      public Row next() {
        if (next == batch.size()) {
          fill();
        }
        Row in = batch.get(next);
        Object[] out = new Object[in.size() + cells[next].length];
        for (int i = 0; i < in.size(); i++) {
          out[i] = in.get(i);
        }
        System.arraycopy(cells[next], 0, out, in.size(), cells[next].length);
        next++;
        return RowFactory.create(out);
      }

      private void fill() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        batch.clear();
        while (batch.size() < batchSize && rows.hasNext()) {
          batch.add(rows.next());
        }
        cells = Batch.score(model, binding, batch);
        next = 0;
      }
    };
  }
}
