package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;

/**
 * The secret a dataset name's {@code hash} columns are keyed with ({@link ColumnPolicy}): 32 random bytes per name,
 * made on first use and the same ever after, so every version of a name (and a model trained on it, at serve time)
 * hashes a value alike. Kept where the rest of the server's secrets are: an owner-only file without a database ({@link
 * FileDatasetKeys}), the encrypted artifact store with one (kiln-training-store).
 */
public interface DatasetKeys {
  /** The key of {@code dataset}, made now if it has none; two callers racing to make it get the same one. */
  byte[] hashKey(String dataset);

  /** No keys: a {@code hash} policy is refused. For wiring that has no place to keep secrets (some tests). */
  static DatasetKeys none() {
    return dataset -> {
      throw new KilnException(ErrorKind.FAILED_PRECONDITION, "this server keeps no dataset keys: hash is unavailable");
    };
  }
}
