package dev.kiln.http;

import dev.kiln.core.access.Grants;
import dev.kiln.core.error.KilnException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A request as a route handler sees it: method, path parameters captured by the route, headers and body. The body is
 * only valid until the handler returns; handlers copy what they keep.
 *
 * @param executor the connection's event loop: where handlers encode responses, so inference workers only compute
 * @param blocking where handlers run work that blocks (files, the database): the server's, closed with it
 * @param grants what the gate allowed the caller; everything with auth off
 * @param source the peer's address
 */
public record RestRequest(
    FullHttpRequest http, List<String> params, Executor executor, Executor blocking, Grants grants, String source) {
  public RestRequest {
    params = Collections.unmodifiableList(new ArrayList<>(params)); // may hold nulls
    Objects.requireNonNull(grants, "grants");
  }

  /** The same request as allowed for a caller. */
  RestRequest by(Grants who) {
    return new RestRequest(http, params, executor, blocking, who, source);
  }

  /** The key id the gate allowed, {@code anonymous} with auth off (for the audit log and ownership). */
  public String principal() {
    return grants.principal();
  }

  public HttpMethod method() {
    return http.method();
  }

  /** Path parameter {@code i} (the i-th capture group of the route), or null where the group did not match. */
  public String param(int i) {
    return i < params.size() ? params.get(i) : null;
  }

  public String header(String name) {
    return http.headers().get(name);
  }

  public ByteBuf body() {
    return http.content();
  }

  /** The first value of query parameter {@code name}, if given. */
  public Optional<String> query(String name) {
    List<String> v = new QueryStringDecoder(http.uri()).parameters().get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /**
   * Integer query parameter {@code name}, {@code otherwise} when absent.
   *
   * @throws KilnException INVALID_ARGUMENT when the value is not an integer in {@code [min, max]} (however many digits
   *     it has: a caller's mistake, never a 500)
   */
  public int intQuery(String name, int otherwise, int min, int max) {
    Optional<String> raw = query(name);
    if (raw.isEmpty()) {
      return otherwise;
    }
    long v;
    try {
      v = Long.parseLong(raw.get().trim());
    } catch (NumberFormatException e) {
      v = Long.MIN_VALUE;
    }
    if (v < min || v > max) {
      throw KilnException.invalid("query parameter '" + name + "' must be an integer from " + min + " to " + max);
    }
    return (int) v;
  }
}
