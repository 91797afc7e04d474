package dev.kiln.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP's one table from core errors to statuses: Triton's codes (INVALID_ARG 400, NOT_FOUND 404, UNAVAILABLE 503,
 * UNSUPPORTED 501, INTERNAL 500) and the usual ones for access (401, 403, 429) and size (413). Every error a route
 * answers goes through {@link #status}, in the body shape of the route's {@link ErrorStyle}; the Kiln/OIP body is
 * {@code {"error": "..."}}.
 */
public final class HttpErrors {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpErrors() {}

  /** The table; each row is also stated on its {@link ErrorKind} constant. */
  public static HttpResponseStatus status(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> HttpResponseStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case UNSUPPORTED -> HttpResponseStatus.NOT_IMPLEMENTED;
      // Triton answers a refused repository call (model control off) with 400, as the OIP REST tests expect.
      case FAILED_PRECONDITION -> HttpResponseStatus.BAD_REQUEST;
      case CONFLICT -> HttpResponseStatus.CONFLICT;
      case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
      case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
      case RATE_LIMITED -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
    };
  }

  /** The Kiln/OIP response for any failure; internal ones are logged with their cause and answered generically. */
  public static RestResponse response(Throwable t) {
    return ErrorStyle.KILN.response(t);
  }

  /**
   * The Kiln/OIP response for an error of HTTP itself, one no core operation raised and no {@link ErrorKind} names as
   * precisely as its status: a request line or headers too long (414, 431), a method the path does not take (405),
   * bytes that are not HTTP (400). Everything else goes through {@link #response(Throwable)}.
   */
  public static RestResponse response(HttpResponseStatus status, String message) {
    ObjectNode body = JSON.createObjectNode().put("error", message);
    return RestResponse.json(status, body.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The failure as a Kiln error; internal ones are logged here, with their cause, once. */
  static KilnException classify(Throwable t) {
    KilnException k = KilnException.from(t);
    if (k.kind() == ErrorKind.INTERNAL) {
      LOG.log(Level.WARNING, "internal error: " + k.getMessage(), k.getCause() != null ? k.getCause() : k);
    }
    return k;
  }

  /**
   * The headers an error answer carries besides its body: the Bearer challenge on 401 (RFC 9110 requires one), and
   * Retry-After, in whole seconds, on 429 and 503 where the error knows when to try again.
   */
  static RestResponse withHeaders(RestResponse r, KilnException k) {
    Map<String, String> h = new HashMap<>(r.headers());
    if (k.kind() == ErrorKind.UNAUTHENTICATED) {
      h.put("www-authenticate", "Bearer realm=\"kiln\"");
    }
    int code = r.status().code();
    if (code == 429 || code == 503) {
      k.retryAfterSeconds().ifPresent(s -> h.put("retry-after", Long.toString(s)));
    }
    return h.equals(r.headers()) ? r : new RestResponse(r.status(), r.contentType(), r.body(), h, r.stream(), r.rows());
  }
}
