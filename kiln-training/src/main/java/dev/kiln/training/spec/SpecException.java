package dev.kiln.training.spec;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;

/**
 * A model spec that cannot be read or trained. The message is for the person who wrote the spec: it names the layer or
 * field at fault ({@code layer 3 (conv2d): ...}, {@code optimizer: unknown field 'lr'}) and never carries parser
 * internals, which stay on the cause.
 */
public class SpecException extends KilnException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(ErrorKind.INVALID_ARGUMENT, message);
  }

  public SpecException(String message, Throwable cause) {
    super(ErrorKind.INVALID_ARGUMENT, message, cause);
  }

  /**
   * @param path where in the spec, as a JSON path ({@code layers[2].units}, {@code optimizer.learning_rate}); a job
   *     request puts it under {@code model}
   */
  public static SpecException at(String path, String message) {
    return new SpecException(message, null, path);
  }

  private SpecException(String message, Throwable cause, String path) {
    super(ErrorKind.INVALID_ARGUMENT, message, cause, path);
  }

  /** Stays a spec error: callers tell a spec's faults from others by type. */
  @Override
  public SpecException within(String prefix) {
    return new SpecException(getMessage(), this, pathWithin(prefix));
  }

  static SpecException at(String path, String message, Throwable cause) {
    return new SpecException(message, cause, path);
  }
}
