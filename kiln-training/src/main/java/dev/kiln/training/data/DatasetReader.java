package dev.kiln.training.data;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Reads any supported raw dataset, detecting its format when the options do not give one. */
public final class DatasetReader {
  private DatasetReader() {}

  public static RawDataset read(Path source, DatasetOptions options) {
    if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new DatasetException(RawFiles.name(source) + ": no such file or folder");
    }
    return switch (format(source, options)) {
      case CSV -> TabularReader.read(source, options);
      case TEXT_CSV -> TextReader.readCsv(source, options);
      case IMAGE_FOLDER -> ImageFolderReader.read(source, options);
      case TEXT_FOLDER -> TextReader.readFolder(source, options);
      case IDX -> readIdx(source, options);
    };
  }

  /**
   * The given format, or: a folder of IDX files → IDX; a folder of class folders holding images → image folder, holding
   * {@code .txt} → text folder; a file with an IDX magic number → error (IDX needs two files); any other file → CSV, or
   * text CSV when a text column is given.
   */
  public static DatasetFormat format(Path source, DatasetOptions options) {
    if (options.format() != null) {
      return options.format();
    }
    if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      if (!idxFiles(source).isEmpty()) {
        return DatasetFormat.IDX;
      }
      for (Path dir : Folders.classes(source)) {
        if (!Folders.files(dir, ImageFolderReader.EXTENSIONS).isEmpty()) {
          return DatasetFormat.IMAGE_FOLDER;
        }
        if (!Folders.files(dir, List.of(".txt")).isEmpty()) {
          return DatasetFormat.TEXT_FOLDER;
        }
      }
      throw new DatasetException(RawFiles.name(source) + ": neither images nor .txt files in its class folders");
    }
    if (IdxReader.isIdx(source)) {
      throw new DatasetException(
          RawFiles.name(source) + ": an IDX file; upload a folder holding both the images and the labels file");
    }
    return options.textColumn() != null ? DatasetFormat.TEXT_CSV : DatasetFormat.CSV;
  }

  private static List<Path> idxFiles(Path dir) {
    return Folders.list(dir).stream()
        .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
        .filter(IdxReader::isIdx)
        .toList();
  }

  private static ImageData readIdx(Path dir, DatasetOptions options) {
    List<Path> files = Files.isDirectory(dir) ? idxFiles(dir) : List.of();
    if (files.size() != 2) {
      throw new DatasetException(
          RawFiles.name(dir) + ": " + files.size() + " IDX files (expected: 2, images and labels)");
    }
    ReadLimits limits = options.limitsOrDefault();
    boolean firstIsLabels = IdxReader.rank(files.get(0)) == 1;
    Path labels = firstIsLabels ? files.get(0) : files.get(1);
    Path images = firstIsLabels ? files.get(1) : files.get(0);
    return IdxReader.read(images, labels, limits);
  }
}
