package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;

/**
 * Names what broke when {@link ParquetRows} cannot read a row group: parquet-java decompresses a page only when its
 * record reader gets to it, and its error ("could not decompress page") says neither which column nor why. On that
 * error path only, the row group is read again column by column, each page decompressed, to find the first column whose
 * pages do not decompress.
 */
final class ParquetPages {
  private ParquetPages() {}

  /**
   * The message of {@code failure} for a user: where it can be told, the column whose pages in row group {@code group}
   * (from 0) of {@code file} do not decompress, then the messages of the failure and its causes.
   */
  static String describe(Path file, MessageType projection, int group, Throwable failure) {
    Set<String> messages = new LinkedHashSet<>();
    for (Throwable t = failure; t != null && messages.size() < 4; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        messages.add(t.getMessage().strip().lines().findFirst().orElse(""));
      }
    }
    String why = messages.isEmpty() ? failure.getClass().getSimpleName() : String.join(": ", messages);
    return brokenColumn(file, projection, group).map(c -> "column '" + c + "': " + why).orElse(why);
  }

  /**
   * The first column of {@code projection} whose pages in row group {@code group} do not read: each column alone, as
   * parquet-java checks pages' checksums when it reads a row group and decompresses each page when it is read.
   */
  static Optional<String> brokenColumn(Path file, MessageType projection, int group) {
    for (ColumnDescriptor column : projection.getColumns()) {
      try (ParquetFileReader reader = ParquetRows.open(file)) {
        reader.setRequestedSchema(new MessageType(projection.getName(), projection.getType(column.getPath()[0])));
        for (int g = 0; g < group; g++) {
          reader.skipNextRowGroup();
        }
        try {
          PageReader pages = reader.readNextRowGroup().getPageReader(column);
          pages.readDictionaryPage();
          while (pages.readPage() != null) {
            // each page is decompressed as it is read
          }
        } catch (IOException | RuntimeException e) {
          return Optional.of(String.join(".", column.getPath()));
        }
      } catch (IOException | RuntimeException e) { // the file could not be opened again: the column stays unnamed
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
