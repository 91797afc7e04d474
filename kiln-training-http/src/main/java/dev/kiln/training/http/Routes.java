package dev.kiln.training.http;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.http.ApiJson;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.Router;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.function.BiFunction;
import java.util.function.Function;

/** What the job and sweep routes share: the id in the path, JSON answers, a deploy request's model name. */
final class Routes {
  /** A job's or sweep's id in a route's path: the first group. */
  static final String ID = "([0-9]{1,18})";

  private Routes() {}

  static long id(RestRequest q) {
    return Long.parseLong(q.param(0));
  }

  /** Answers with what {@code handle} returns as JSON, computed off the event loop. */
  static Router.Handler json(HttpResponseStatus status, Function<RestRequest, Object> handle) {
    return q -> ManagementApi.json(q, status, () -> handle.apply(q));
  }

  /** As {@link #json}, for a request with a body: the body is read first, while the request still holds it. */
  static Router.Handler withBody(HttpResponseStatus status, BiFunction<RestRequest, byte[], Object> handle) {
    return q -> {
      byte[] body = ManagementApi.body(q);
      return ManagementApi.json(q, status, () -> handle.apply(q, body));
    };
  }

  static String modelName(byte[] body) {
    try {
      var node = ApiJson.MAPPER.readTree(body);
      if (node == null || !node.path("name").isTextual()) {
        throw new KilnException(ErrorKind.INVALID_ARGUMENT, "deploy needs {\"name\": \"<model name>\"}");
      }
      return node.get("name").asText();
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "deploy needs {\"name\": \"<model name>\"}");
    }
  }
}
