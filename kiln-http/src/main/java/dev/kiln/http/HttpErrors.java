package dev.kiln.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one mapping from core errors to HTTP: Triton's status codes (INVALID_ARG 400, NOT_FOUND 404, UNAVAILABLE
 * 503, UNSUPPORTED 501, INTERNAL 500) and the Open Inference Protocol body {@code {"error": "..."}}.
 */
public final class HttpErrors {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpErrors() {}

  public static HttpResponseStatus status(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION -> HttpResponseStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case UNAVAILABLE, RESOURCE_EXHAUSTED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case UNSUPPORTED -> HttpResponseStatus.NOT_IMPLEMENTED;
      case CONFLICT -> HttpResponseStatus.CONFLICT;
      case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
      case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
      case RATE_LIMITED -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /** The response for any failure; internal ones are logged with their cause and answered generically. */
  public static RestResponse response(Throwable t) {
    KilnException k = classify(t);
    return response(status(k.kind()), k.getMessage());
  }

  /** The failure as a Kiln error; internal ones are logged here, with their cause, once. */
  static KilnException classify(Throwable t) {
    KilnException k = KilnException.from(t);
    if (k.kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, "internal error: " + k.getMessage(), k.getCause() != null ? k.getCause() : k);
    }
    return k;
  }

  public static RestResponse response(HttpResponseStatus status, String message) {
    ObjectNode body = JSON.createObjectNode().put("error", message);
    return RestResponse.json(status, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
