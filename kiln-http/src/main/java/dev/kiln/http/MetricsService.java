package dev.kiln.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** {@code GET /metrics}: every meter of the server in the Prometheus text format. */
public final class MetricsService implements RestService {
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  public MetricsService(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void addRoutes(Router router) {
    router.add(
        HttpMethod.GET,
        "/metrics",
        Access.ADMIN,
        q ->
            CompletableFuture.completedFuture(
                RestResponse.text(HttpResponseStatus.OK, CONTENT_TYPE, registry.scrape())));
  }
}
