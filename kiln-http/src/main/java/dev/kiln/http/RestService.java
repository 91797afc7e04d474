package dev.kiln.http;

import java.net.URL;
import java.util.Optional;

/** A feature that contributes routes to the HTTP server. */
public interface RestService {
  void addRoutes(Router router);

  /**
   * This feature's part of the OpenAPI document ({@link OpenApiService}): a JSON resource with {@code paths} for the
   * {@code /api/v1} routes it adds and, optionally, {@code components.schemas}. Empty for routes documented elsewhere
   * (the inference protocols have their own specifications).
   */
  default Optional<URL> openApi() {
    return Optional.empty();
  }
}
