package dev.kiln.cli;

import java.io.IOException;
import java.util.List;

/**
 * Where {@code kiln predict} puts its rows: a CSV or a Parquet file, continued by {@code --resume} after the rows a
 * previous run made durable, so that no row is written twice and the finished file equals an uninterrupted run's.
 */
interface PredictSink extends AutoCloseable {
  /** Rows already durable from a previous run (0 for a new file): the input rows to skip. */
  long done();

  /** Appends scored rows, in input order. */
  void write(List<PredictRows.Row> rows) throws IOException;

  /** Completes the file after the last row. */
  void finish() throws IOException;

  @Override
  void close() throws IOException;
}
