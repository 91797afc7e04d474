package dev.kiln.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The error body a route's clients expect: Kiln's and the Open Inference Protocol's {@code {"error": "..."}}, or
 * OpenAI's envelope {@code {"error": {"message", "type", "param", "code"}}}, which OpenAI SDKs parse (type and code
 * from {@link OpenAiErrors}). Statuses and headers are the same in both ({@link HttpErrors}).
 */
public enum ErrorStyle {
  KILN,
  OPENAI;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The answer to any failure, refusals of the gate included: status from {@link HttpErrors#status}, the body in this
   * style, and the Bearer challenge or Retry-After where they apply. Internal failures are logged with their cause and
   * answered generically.
   */
  public RestResponse response(Throwable t) {
    KilnException k = HttpErrors.classify(t);
    HttpResponseStatus status = HttpErrors.status(k.kind());
    RestResponse r =
        this == KILN
            ? kiln(status, k)
            : RestResponse.json(status, envelope(OpenAiErrors.of(k.kind()), k.getMessage(), k.path()));
    return HttpErrors.withHeaders(r, k);
  }

  /** {@code {"error": message}}, with {@code "path"} where the error knows where in the request it is. */
  private static RestResponse kiln(HttpResponseStatus status, KilnException k) {
    if (k.path().isEmpty()) {
      return HttpErrors.response(status, k.getMessage());
    }
    ObjectNode body = JSON.createObjectNode().put("error", k.getMessage()).put("path", k.path().get());
    return RestResponse.json(status, body.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** An error of HTTP itself (see {@link HttpErrors#response(HttpResponseStatus, String)}): a mistake of the caller. */
  public RestResponse response(HttpResponseStatus status, String message) {
    return this == KILN
        ? HttpErrors.response(status, message)
        : RestResponse.json(status, envelope(OpenAiErrors.REQUEST, message, Optional.empty()));
  }

  /**
   * OpenAI's envelope for a failure, for a stream that has already sent its head and can only report in an event.
   * Internal failures are logged with their cause and reported generically.
   */
  public static ObjectNode openAiEnvelope(Throwable t) {
    KilnException k = HttpErrors.classify(t);
    return envelopeNode(OpenAiErrors.of(k.kind()), k.getMessage(), k.path());
  }

  private static byte[] envelope(OpenAiErrors.Entry e, String message, Optional<String> path) {
    return envelopeNode(e, message, path).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** OpenAI's {@code param} names the request field at fault: Kiln's path where known. */
  private static ObjectNode envelopeNode(OpenAiErrors.Entry e, String message, Optional<String> path) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error").put("message", message).put("type", e.type());
    path.ifPresentOrElse(p -> error.put("param", p), () -> error.putNull("param"));
    e.code().ifPresentOrElse(c -> error.put("code", c), () -> error.putNull("code"));
    return root;
  }
}
