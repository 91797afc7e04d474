package dev.kiln.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The CSV predictions file of {@code kiln predict}, which a resumed run continues: only complete lines count, so a line
 * torn by a killed run is cut off and scored again, and no row is written twice.
 */
final class PredictOutput {
  /** How far a previous run got: its complete rows after the header, and whether it wrote the header at all. */
  record Progress(long rows, boolean header) {}

  private PredictOutput() {}

  /**
   * Cuts {@code file} after its last complete CSV record (a line end outside quotes) and counts the rows before it;
   * reads the file as a stream, whatever its size.
   */
  static Progress truncateToCompleteRows(Path file) throws IOException {
    long records = 0;
    long keep = 0;
    long at = 0;
    boolean quoted = false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      for (int b = in.read(); b != -1; b = in.read()) {
        at++;
        if (b == '"') {
          quoted = !quoted; // a doubled quote flips twice
        } else if (b == '\n' && !quoted) {
          records++;
          keep = at;
        }
      }
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(keep);
    }
    return new Progress(Math.max(0, records - 1), records > 0);
  }

  /**
   * Appends lines to the file and pushes each batch to disk, so a killed run loses at most the batch in flight; the
   * header comes from the first row written.
   */
  static final class Csv implements PredictSink {
    private final OutputStream out;
    private final String id;
    private final Progress done;
    private boolean wroteHeader;

    /**
     * @param resume continue {@code file} (cut after its last complete line) instead of creating it
     */
    Csv(Path file, String id, boolean resume) throws IOException {
      this.id = id;
      boolean append = resume && Files.exists(file);
      done = append ? truncateToCompleteRows(file) : new Progress(0, false);
      wroteHeader = done.header();
      out =
          append
              ? Files.newOutputStream(file, StandardOpenOption.APPEND)
              : Files.newOutputStream(file, StandardOpenOption.CREATE_NEW);
    }

    @Override
    public long done() {
      return done.rows();
    }

    @Override
    public void write(List<PredictRows.Row> rows) throws IOException {
      StringBuilder lines = new StringBuilder();
      if (!wroteHeader) {
        lines.append(PredictRows.header(id, rows.getFirst()));
        wroteHeader = true;
      }
      rows.forEach(r -> lines.append(PredictRows.line(r)));
      out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void finish() {}

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
