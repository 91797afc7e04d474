package dev.kiln.protocol.grpc;

import dev.kiln.core.error.KilnException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one mapping from Kiln's errors to gRPC statuses. Messages of {@link KilnException}s are written for callers
 * and pass through; any other exception becomes INTERNAL with the fixed message {@code "internal error"} (see
 * {@link KilnException#from}) and its details go to the log only, so no path, class name or stack frame reaches a
 * client.
 */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

  private GrpcErrors() {}

  /** The status for a failure, unwrapping {@code CompletionException}s. */
  static Status status(Throwable failure) {
    KilnException k = KilnException.from(failure);
    Status.Code code = switch (k.kind()) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      // The core's RESOURCE_EXHAUSTED is an overloaded model queue: UNAVAILABLE, as Triton answers, tells clients
      // to retry later (HTTP answers 503 for the same reason). Oversized messages are refused by gRPC itself.
      case RESOURCE_EXHAUSTED -> Status.Code.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case UNSUPPORTED -> Status.Code.UNIMPLEMENTED;
      case FAILED_PRECONDITION, CONFLICT -> Status.Code.FAILED_PRECONDITION;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case RATE_LIMITED -> Status.Code.RESOURCE_EXHAUSTED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
    if (code == Status.Code.INTERNAL) {
      LOG.log(Level.WARNING, "internal error answering a gRPC call", k.getCause() != null ? k.getCause() : k);
    }
    return code.toStatus().withDescription(k.getMessage());
  }

  static StatusRuntimeException exception(Throwable failure) {
    return status(failure).asRuntimeException();
  }

  /** The text a stream puts in {@code error_message}: the same words the status would carry. */
  static String message(Throwable failure) {
    return status(failure).getDescription();
  }
}
