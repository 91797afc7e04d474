package dev.kiln.training.data;

/**
 * A dataset exceeds one of the {@link ReadLimits} or archive limits: the upload is well formed but too large, so
 * the REST API answers 413 rather than 400. The message names the file and the limit.
 */
public class DatasetTooLargeException extends DatasetException {
  private static final long serialVersionUID = 1L;

  public DatasetTooLargeException(String message) {
    super(message);
  }
}
