package dev.kiln.protocol.rest;

import dev.kiln.core.access.Grants;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A request as a route handler sees it: method, path parameters captured by the route, headers and body. The
 * body is only valid until the handler returns; handlers copy what they keep.
 *
 * @param executor the connection's event loop: where handlers encode responses, so inference workers only compute
 * @param grants what the gate allowed the caller; everything with auth off
 * @param source the peer's address
 */
public record RestRequest(FullHttpRequest http, List<String> params, Executor executor, Grants grants,
    String source) {
  public RestRequest {
    params = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(params)); // may hold nulls
    java.util.Objects.requireNonNull(grants, "grants");
  }

  public RestRequest(FullHttpRequest http, List<String> params, Executor executor) {
    this(http, params, executor, Grants.all("anonymous"), "");
  }

  /** The same request as allowed for a caller. */
  RestRequest by(Grants who) {
    return new RestRequest(http, params, executor, who, source);
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
}
