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
}
