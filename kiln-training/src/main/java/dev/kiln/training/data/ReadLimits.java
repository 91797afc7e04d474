package dev.kiln.training.data;

/**
 * Caps on what a reader accepts, checked while streaming so an oversized upload fails before it fills memory: rows,
 * columns and cells while a CSV is read (before any column is allocated), an image's pixels from its header (before it
 * is decoded), bytes as they are inflated. What an accepted dataset holds in memory is bounded by {@code maxCells}: 8
 * bytes a tabular cell, 4 bytes an image value, plus the distinct category strings.
 *
 * @param maxRows data rows (header excluded), or images, or texts
 * @param maxColumns columns of a CSV row
 * @param maxCells values held for the whole dataset: rows × columns of a CSV, images × channels × height × width of an
 *     image dataset
 * @param maxFileBytes bytes of any one raw file, measured uncompressed for gzipped input
 * @param maxImagePixels width × height of any one image, read from its header before decoding
 * @param maxFieldChars characters of one CSV field (a text of a text CSV is one field)
 */
public record ReadLimits(
    long maxRows, int maxColumns, long maxCells, long maxFileBytes, long maxImagePixels, int maxFieldChars) {
  public ReadLimits {
    if (maxRows < 1 || maxColumns < 1 || maxCells < 1 || maxFileBytes < 1 || maxImagePixels < 1 || maxFieldChars < 1) {
      throw new IllegalArgumentException("dataset limits must be positive");
    }
  }

  /** The defaults, with rows, columns and bytes as given. */
  public ReadLimits(long maxRows, int maxColumns, long maxFileBytes) {
    this(
        maxRows,
        maxColumns,
        defaults().maxCells(),
        maxFileBytes,
        defaults().maxImagePixels(),
        defaults().maxFieldChars());
  }

  /**
   * 5M rows, 10k columns, 20M cells (160 MB of numbers), 1 GiB per file, 25M pixels an image (5000 × 5000), 1M
   * characters a field.
   */
  public static ReadLimits defaults() {
    return new ReadLimits(5_000_000, 10_000, 20_000_000, 1L << 30, 25_000_000, 1 << 20);
  }

  public ReadLimits withCells(long cells) {
    return new ReadLimits(maxRows, maxColumns, cells, maxFileBytes, maxImagePixels, maxFieldChars);
  }

  public ReadLimits withImagePixels(long pixels) {
    return new ReadLimits(maxRows, maxColumns, maxCells, maxFileBytes, pixels, maxFieldChars);
  }

  public ReadLimits withFieldChars(int chars) {
    return new ReadLimits(maxRows, maxColumns, maxCells, maxFileBytes, maxImagePixels, chars);
  }
}
