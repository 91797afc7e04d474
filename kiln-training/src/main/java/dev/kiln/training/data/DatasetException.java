package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;

/**
 * A dataset cannot be read, stored or prepared. The message names the file (by its name only, never a full path), row
 * and column at fault, so a user can fix the data.
 */
public class DatasetException extends KilnException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(ErrorKind.INVALID_ARGUMENT, message);
  }

  /** A dataset error of another kind than INVALID_ARGUMENT (one over a limit is TOO_LARGE). */
  protected DatasetException(ErrorKind kind, String message) {
    super(kind, message);
  }

  public DatasetException(String message, Throwable cause) {
    super(ErrorKind.INVALID_ARGUMENT, message, cause);
  }
}
