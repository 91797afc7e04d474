package dev.kiln.http;

/** A feature that contributes routes to the HTTP server. */
public interface RestService {
  void addRoutes(Router router);
}
