package dev.kiln.http;

import dev.kiln.core.access.Gate;
import dev.kiln.core.access.Permission;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.SocketAddress;

/** The answer to a request no route matches: 404 for an unknown path, 405 for a known path with another method. */
final class Unrouted {
  private final Router router;
  private final Gate gate;

  Unrouted(Router router, Gate gate) {
    this.router = router;
    this.gate = gate;
  }

  RestResponse answer(FullHttpRequest req, String path, SocketAddress peer) {
    HttpResponseStatus s =
        router.pathKnown(path) ? HttpResponseStatus.METHOD_NOT_ALLOWED : HttpResponseStatus.NOT_FOUND;
    // OpenAI clients parse their own error envelope, unknown /v1 paths included.
    ErrorStyle style = path.startsWith("/v1/") ? ErrorStyle.OPENAI : ErrorStyle.KILN;
    // With auth on, a caller without a valid key learns nothing about which paths and methods exist: 401
    // comes before 404 and 405.
    if (gate != Gate.OPEN) {
      try {
        gate.check(RequestHandler.caller(req, String.valueOf(peer)), Permission.AUTHENTICATED, null);
      } catch (RuntimeException refused) {
        return style.response(refused);
      }
    }
    return style.response(
        s,
        s == HttpResponseStatus.NOT_FOUND
            ? "no route for " + req.method() + " " + truncate(path)
            : "method " + req.method() + " not allowed here");
  }

  private static String truncate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
