package dev.kiln.training.data;

/**
 * Caps on what a reader accepts, checked while reading so an oversized upload fails before it fills memory.
 *
 * @param maxRows data rows (header excluded), or images, or texts
 * @param maxColumns columns of a CSV row
 * @param maxFileBytes bytes of any one raw file, measured uncompressed for gzipped input
 */
public record ReadLimits(long maxRows, int maxColumns, long maxFileBytes) {
  public ReadLimits {
    if (maxRows < 1 || maxColumns < 1 || maxFileBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** 5M rows, 10k columns, 2 GiB per file. */
  public static ReadLimits defaults() {
    return new ReadLimits(5_000_000, 10_000, 2L << 30);
  }
}
