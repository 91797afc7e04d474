package dev.kiln.training.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A stored dataset version as a download: the stored bytes as uploaded after its column policy. A single file is sent
 * as is (CSV as {@code text/csv}, gzipped as {@code application/gzip}); a folder dataset (image folder, IDX pair, text
 * folder) as a zip of its files, which an upload with {@code archive=zip} takes back. Both are streamed from the stored
 * copy, never held in memory.
 */
public record DatasetDownload(StoredDataset stored) {
  /** The content type a client is told. */
  public String contentType() {
    String name = stored.data().getFileName().toString();
    if (Files.isDirectory(stored.data())) {
      return "application/zip";
    } else if (name.endsWith(".gz")) {
      return "application/gzip";
    } else if (name.endsWith(".tsv") || name.endsWith(".tab")) {
      return "text/tab-separated-values; charset=utf-8";
    } else if (name.endsWith(".txt")) {
      return "text/plain; charset=utf-8";
    }
    return "text/csv; charset=utf-8";
  }

  /** A file name for {@code content-disposition}: {@code NAME-vVERSION} and the stored file's extension. */
  public String fileName() {
    String base = stored.ref().name() + "-v" + stored.ref().version();
    if (Files.isDirectory(stored.data())) {
      return base + ".zip";
    }
    String name = stored.data().getFileName().toString();
    int dot = name.indexOf('.');
    return base + (dot < 0 ? (contentType().startsWith("text/csv") ? ".csv" : "") : name.substring(dot));
  }

  /** Writes the bytes to {@code out}, which it does not close. */
  public void writeTo(OutputStream out) throws IOException {
    Path data = stored.data();
    if (!Files.isDirectory(data)) {
      Files.copy(data, out);
      return;
    }
    ZipOutputStream zip = new ZipOutputStream(out);
    List<Path> files;
    try (var walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      zip.putNextEntry(new ZipEntry(data.relativize(f).toString().replace('\\', '/')));
      Files.copy(f, zip);
      zip.closeEntry();
    }
    zip.finish();
  }
}
