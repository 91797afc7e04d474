package dev.kiln.protocol.grpc;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * gRPC's one table from Kiln's errors to status codes, used for every failure a call ends with, the access gate's
 * refusals included. Messages of {@link KilnException}s are written for callers and pass through; any other exception
 * becomes INTERNAL with the fixed message {@code "internal error"} (see {@link KilnException#from}) and its details go
 * to the log only, so no path, class name or stack frame reaches a client. gRPC has no Retry-After: an error's
 * retry-after travels as trailer {@code retry-after}, whole seconds, as HTTP's header does.
 */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());
  static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcErrors() {}

  /** The table; each row is also stated on its {@link ErrorKind} constant. */
  static Status.Code code(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      // The core's RESOURCE_EXHAUSTED is an overloaded model queue: UNAVAILABLE, as Triton answers, tells clients
      // to retry later (HTTP answers 503 for the same reason).
      case RESOURCE_EXHAUSTED -> Status.Code.UNAVAILABLE;
      // What gRPC itself answers for a message over the inbound limit.
      case TOO_LARGE -> Status.Code.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case UNSUPPORTED -> Status.Code.UNIMPLEMENTED;
      case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
      case CONFLICT -> Status.Code.FAILED_PRECONDITION;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case RATE_LIMITED -> Status.Code.RESOURCE_EXHAUSTED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }

  /** The status for a failure, unwrapping {@code CompletionException}s; internal ones are logged here, once. */
  static Status status(Throwable failure) {
    return status(classify(failure));
  }

  /** The trailers that go with the failure's status: its retry-after, if it has one. */
  static Metadata trailers(Throwable failure) {
    Metadata m = new Metadata();
    KilnException.from(failure).retryAfterSeconds().ifPresent(s -> m.put(RETRY_AFTER, Long.toString(s)));
    return m;
  }

  /** What a call fails with: the status, and the trailers with any retry-after. */
  static StatusRuntimeException exception(Throwable failure) {
    KilnException k = classify(failure);
    return status(k).asRuntimeException(trailers(k));
  }

  /** The text a stream puts in {@code error_message}: the same words the status would carry. */
  static String message(Throwable failure) {
    return status(failure).getDescription();
  }

  private static KilnException classify(Throwable failure) {
    KilnException k = KilnException.from(failure);
    if (k.kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, "internal error answering a gRPC call", k.getCause() != null ? k.getCause() : k);
    }
    return k;
  }

  private static Status status(KilnException k) {
    return code(k.kind()).toStatus().withDescription(k.getMessage());
  }
}
