package dev.kiln.core.error;

import java.util.Objects;

/**
 * The one unchecked exception the core throws towards protocol adapters. Its message is written for the caller:
 * it never carries file paths, class names or stack details (those go to the log through the cause).
 */
public class KilnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public KilnException(ErrorKind kind, String message) {
    this(kind, message, null);
  }

  public KilnException(ErrorKind kind, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public ErrorKind kind() {
    return kind;
  }

  public static KilnException invalid(String message) {
    return new KilnException(ErrorKind.INVALID_ARGUMENT, message);
  }

  public static KilnException notFound(String message) {
    return new KilnException(ErrorKind.NOT_FOUND, message);
  }

  public static KilnException unavailable(String message) {
    return new KilnException(ErrorKind.UNAVAILABLE, message);
  }

  public static KilnException exhausted(String message) {
    return new KilnException(ErrorKind.RESOURCE_EXHAUSTED, message);
  }

  public static KilnException unsupported(String message) {
    return new KilnException(ErrorKind.UNSUPPORTED, message);
  }

  /**
   * Unwraps {@code CompletionException}s and turns anything that is not a {@link KilnException} into an
   * {@link ErrorKind#INTERNAL} one whose message reveals nothing about the cause.
   */
  public static KilnException from(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof KilnException k) {
      return k;
    }
    return new KilnException(ErrorKind.INTERNAL, "internal error", c);
  }
}
