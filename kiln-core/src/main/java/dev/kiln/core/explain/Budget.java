package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;

/** What one explanation may hold in memory, checked before any row is built. */
final class Budget {
  /** Most input values across all evaluation rows (8 bytes each: 512 MiB at most, usually far less). */
  static final long MAX_CELLS = 1L << 26;

  /** Most features Kernel SHAP regresses on: its normal equations are features² per target. */
  static final int MAX_FEATURES = 512;

  private Budget() {}

  static void check(long rows, long width) {
    if (rows * width > MAX_CELLS) {
      throw KilnException.invalid(
          "this explanation needs "
              + rows
              + " model rows of "
              + width
              + " values, over the bound of "
              + MAX_CELLS
              + " values; ask for fewer samples, background rows or patches");
    }
  }
}
