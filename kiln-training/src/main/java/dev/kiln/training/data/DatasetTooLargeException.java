package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;

/**
 * A dataset exceeds one of the {@link ReadLimits} or archive limits: the upload is well formed but too large, so its
 * kind is TOO_LARGE (HTTP 413) rather than the INVALID_ARGUMENT (400) of other dataset errors. The message names the
 * file and the limit.
 */
public class DatasetTooLargeException extends DatasetException {
  private static final long serialVersionUID = 1L;

  public DatasetTooLargeException(String message) {
    super(ErrorKind.TOO_LARGE, message);
  }
}
