package dev.kiln.core.error;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one unchecked exception the core throws towards protocol adapters, refusals of the access gate included. Its
 * message is written for the caller: it never carries file paths, class names or stack details (those go to the log
 * through the cause). A retry-after, where present, says when trying again may succeed (a rate limit's next window, a
 * quota's reset); each protocol puts it on the wire in its own way.
 */
public class KilnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  /** Null where no delay is known; exposed as an Optional. */
  private final Duration retryAfter;

  /** Null where the thrower does not know where in the request the fault is; exposed as an Optional. */
  private final String path;

  public KilnException(ErrorKind kind, String message) {
    this(kind, message, (Throwable) null);
  }

  public KilnException(ErrorKind kind, String message, Throwable cause) {
    this(kind, message, cause, null);
  }

  /**
   * @param path where in the request the fault is, as a JSON path ({@code model.layers[2].units}); null where unknown
   */
  public KilnException(ErrorKind kind, String message, Throwable cause, String path) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfter = null;
    this.path = path;
  }

  /**
   * A refusal: no cause and no stack trace. Refusals are expected answers (a flood of bad keys makes many), are never
   * logged, and a stack trace would only cost time.
   */
  private KilnException(ErrorKind kind, String message, Duration retryAfter) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " (expected: >= 0)");
    }
    this.retryAfter = retryAfter;
    this.path = null;
  }

  public ErrorKind kind() {
    return kind;
  }

  /**
   * Where in the request the fault is, if the thrower knows: a JSON path into the request body, fields joined by dots
   * and array indexes from 0 in brackets ({@code model.layers[2].units}, {@code training.epochs}). Clients (a form, a
   * spec editor) point at it; the message says the same in words.
   */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }

  /**
   * This error as seen from a document that holds the one it was found in under {@code prefix}: the path becomes {@code
   * prefix.path}, or {@code prefix} where there was none; the message and kind stay.
   */
  public KilnException within(String prefix) {
    return new KilnException(kind, getMessage(), this, pathWithin(prefix));
  }

  /** {@link #path} seen from a document holding this one's under {@code prefix}; for subclasses' {@link #within}. */
  protected final String pathWithin(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return prefix + (path == null ? "" : path.startsWith("[") ? path : "." + path);
  }

  /** When trying again may succeed, if known. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * The retry-after in whole seconds, rounded up, as HTTP's {@code Retry-After} and Kiln's gRPC trailer carry it (so a
   * caller that waits that long is never early).
   */
  public OptionalLong retryAfterSeconds() {
    return retryAfter == null ? OptionalLong.empty() : OptionalLong.of(retryAfter.plusNanos(999_999_999).getSeconds());
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

  public static KilnException tooLarge(String message) {
    return new KilnException(ErrorKind.TOO_LARGE, message);
  }

  public static KilnException unsupported(String message) {
    return new KilnException(ErrorKind.UNSUPPORTED, message);
  }

  /** The gate's refusal of a caller without valid credentials. */
  public static KilnException unauthenticated(String message) {
    return new KilnException(ErrorKind.UNAUTHENTICATED, message, (Duration) null);
  }

  /** The gate's refusal of valid credentials that lack the permission. */
  public static KilnException denied(String message) {
    return new KilnException(ErrorKind.PERMISSION_DENIED, message, (Duration) null);
  }

  /** The gate's refusal of a caller over a rate limit or quota, which may try again after {@code retryAfter}. */
  public static KilnException rateLimited(String message, Duration retryAfter) {
    return new KilnException(ErrorKind.RATE_LIMITED, message, Objects.requireNonNull(retryAfter, "retryAfter"));
  }

  /**
   * A refusal of any kind that may succeed after {@code retryAfter}, e.g. UNAVAILABLE or RESOURCE_EXHAUSTED when the
   * server knows when room frees up.
   */
  public static KilnException retryable(ErrorKind kind, String message, Duration retryAfter) {
    return new KilnException(kind, message, Objects.requireNonNull(retryAfter, "retryAfter"));
  }

  /**
   * Unwraps {@code CompletionException}s and turns anything that is not a {@link KilnException} into an {@link
   * ErrorKind#INTERNAL} one whose message reveals nothing about the cause.
   */
  public static KilnException from(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof KilnException k) {
      return k;
    }
    return new KilnException(ErrorKind.INTERNAL, "internal error", c);
  }
}
