package dev.kiln.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches a method and path to a handler. Routes are regular expressions over the decoded-free raw path whose capture
 * groups become path parameters; the first route that matches wins. A path that matches some route under another method
 * answers 405, otherwise 404.
 */
public final class Router {
  /** Handles one request; may complete later (inference) or at once. */
  @FunctionalInterface
  public interface Handler {
    CompletableFuture<RestResponse> handle(RestRequest request);
  }

  /** A registered route; tests list every route to prove each one is guarded as its access says. */
  public record Route(HttpMethod method, Pattern pattern, Access access, ErrorStyle errors, Handler handler) {}

  /** A match: the handler and the captured parameters. */
  public record Match(Route route, List<String> params) {}

  private final List<Route> routes = new ArrayList<>();

  /** A route that requires {@link Access#ADMIN}: closed unless said otherwise. */
  public Router add(HttpMethod method, String regex, Handler handler) {
    return add(method, regex, Access.ADMIN, handler);
  }

  public Router add(HttpMethod method, String regex, Access access, Handler handler) {
    return add(method, regex, access, ErrorStyle.KILN, handler);
  }

  /** A route whose errors, refusals included, take {@code errors}' shape. */
  public Router add(HttpMethod method, String regex, Access access, ErrorStyle errors, Handler handler) {
    routes.add(new Route(method, Pattern.compile(regex), access, errors, handler));
    return this;
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** The route for this request, or empty; {@link #pathKnown} tells 405 from 404. */
  public Optional<Match> match(HttpMethod method, String path) {
    for (Route r : routes) {
      if (!r.method().equals(method)) {
        continue;
      }
      Matcher m = r.pattern().matcher(path);
      if (m.matches()) {
        List<String> params = new ArrayList<>(m.groupCount());
        for (int i = 1; i <= m.groupCount(); i++) {
          params.add(m.group(i));
        }
        return Optional.of(new Match(r, params));
      }
    }
    return Optional.empty();
  }

  public boolean pathKnown(String path) {
    return routes.stream().anyMatch(r -> r.pattern().matcher(path).matches());
  }
}
