package dev.kiln.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * The error body a route's clients expect: Kiln's and the Open Inference Protocol's {@code {"error": "..."}}, or
 * OpenAI's envelope {@code {"error": {"message", "type", "param", "code"}}}, which OpenAI SDKs parse. Statuses are
 * the same in both ({@link HttpErrors#status}).
 */
public enum ErrorStyle {
  KILN,
  OPENAI;

  private static final ObjectMapper JSON = new ObjectMapper();

  public RestResponse response(Throwable t) {
    if (this == KILN) {
      return HttpErrors.response(t);
    }
    KilnException k = HttpErrors.classify(t);
    return openAi(HttpErrors.status(k.kind()), k.kind(), k.getMessage());
  }

  public RestResponse response(HttpResponseStatus status, String message) {
    return this == KILN ? HttpErrors.response(status, message) : openAi(status, null, message);
  }

  private static RestResponse openAi(HttpResponseStatus status, ErrorKind kind, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("message", message).put("type", type(status)).putNull("param")
        .put("code", code(status, kind));
    return RestResponse.json(status, error.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** OpenAI's error types by status. */
  private static String type(HttpResponseStatus s) {
    return switch (s.code()) {
      case 400, 404, 409, 413, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      default -> "server_error";
    };
  }

  private static String code(HttpResponseStatus s, ErrorKind kind) {
    return switch (s.code()) {
      case 401 -> "invalid_api_key";
      case 404 -> kind == ErrorKind.NOT_FOUND ? "model_not_found" : "not_found";
      case 429 -> "rate_limit_exceeded";
      default -> null;
    };
  }
}
