package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.Closeable;
import java.util.List;
import java.util.Optional;

/**
 * The rows of a stored CSV or TSV dataset version, one at a time, for a reader that must not hold the file (batch
 * scoring): the header, then each data row as wide as it. Only the current row is in memory, and the store's read
 * limits are checked as the file is read, as at upload.
 */
public final class TableRows implements Closeable {
  private final CsvParser parser;

  private TableRows(CsvParser parser) {
    this.parser = parser;
  }

  /**
   * Opens a stored version for reading.
   *
   * @throws KilnException INVALID_ARGUMENT when the version is not a delimited file (an image folder, IDX, text folder)
   */
  public static TableRows open(StoredDataset stored) {
    DatasetFormat format = stored.manifest().format();
    if (format != DatasetFormat.CSV && format != DatasetFormat.TEXT_CSV) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT,
          "dataset: " + stored.ref().name() + " version " + stored.ref().version() + " is not a CSV dataset");
    }
    DatasetOptions options = stored.readOptions();
    return new TableRows(
        CsvParser.open(stored.data(), TabularReader.delimiter(stored.data(), options), options.limitsOrDefault()));
  }

  /** The column names, as the header row has them (trimmed). */
  public List<String> header() {
    return parser.header();
  }

  /**
   * The next data row, or empty at the end.
   *
   * @throws DatasetException for a row of the wrong width or a file past the read limits
   */
  public Optional<String[]> next() {
    return Optional.ofNullable(parser.next());
  }

  @Override
  public void close() {
    parser.close();
  }
}
