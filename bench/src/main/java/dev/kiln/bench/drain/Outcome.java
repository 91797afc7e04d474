package dev.kiln.bench.drain;

import io.grpc.Status;
import java.net.ConnectException;

/** How one request ended, as the client saw it. */
enum Outcome {
  /** Answered with a result (HTTP 200, gRPC OK). */
  OK,
  /** Answered with a refusal the server wrote (HTTP 503, UNAVAILABLE "server is shutting down"). */
  REFUSED,
  /** Never reached a server: the connection was refused (after the process exited). */
  NOT_SENT,
  /** Sent and never answered: the connection closed or reset under it. This is what a drain must avoid. */
  LOST;

  static Outcome ofHttp(int status) {
    return status == 200 ? OK : status == 503 ? REFUSED : LOST;
  }

  static Outcome ofHttp(Throwable failure) {
    return causedBy(failure, ConnectException.class) ? NOT_SENT : LOST;
  }

  static Outcome ofGrpc(Status status) {
    if (status.isOk()) {
      return OK;
    }
    String d = status.getDescription() == null ? "" : status.getDescription();
    if (status.getCode() == Status.Code.UNAVAILABLE && (d.contains("shutting down") || d.contains("not ready"))) {
      return REFUSED;
    }
    return causedBy(status.getCause(), ConnectException.class) ? NOT_SENT : LOST;
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
