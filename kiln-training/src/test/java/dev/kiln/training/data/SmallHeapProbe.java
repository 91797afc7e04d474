package dev.kiln.training.data;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link DatasetBombTest} in a child JVM with a small heap: reads one hostile dataset as an upload would and
 * prints one line, {@code refused: <reason>}, {@code accepted: <rows>} or {@code out of memory}.
 */
public final class SmallHeapProbe {
  private SmallHeapProbe() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    Path input = Path.of(args[1]);
    try {
      if (kind.equals("zip")) {
        Path target = Files.createDirectories(Path.of(args[2]));
        try (InputStream in = Files.newInputStream(input)) {
          ZipArchive.extract(in, target, ZipArchive.Limits.defaults());
        }
        System.out.println("accepted: unpacked");
      } else {
        RawDataset d =
            DatasetReader.read(input, kind.equals("images") ? DatasetOptions.detect() : DatasetOptions.csv(args[2]));
        System.out.println("accepted: " + d.size());
      }
    } catch (DatasetException e) {
      System.out.println("refused: " + e.getMessage());
    } catch (OutOfMemoryError e) {
      System.out.println("out of memory");
      System.exit(3);
    }
  }
}
