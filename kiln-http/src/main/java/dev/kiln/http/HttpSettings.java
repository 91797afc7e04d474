package dev.kiln.http;

import dev.kiln.core.tls.TlsSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits and address of the HTTP listener.
 *
 * @param host interface to bind
 * @param port port to bind; 0 picks a free one
 * @param maxRequestBytes largest request body after decompression; larger bodies get 413
 * @param maxHeaderBytes largest header block; larger gets 431
 * @param maxJsonDepth deepest JSON nesting accepted; deeper gets 400
 * @param ioThreads Netty event-loop threads; 0 means one per core
 * @param tls HTTPS from these files, or empty for plain HTTP
 */
public record HttpSettings(
    String host,
    int port,
    int maxRequestBytes,
    int maxHeaderBytes,
    int maxJsonDepth,
    int ioThreads,
    Optional<TlsSettings> tls) {
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

  public HttpSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("max request size must be at least 1 KiB");
    }
  }

  public static HttpSettings defaults(String host, int port) {
    return new HttpSettings(host, port, DEFAULT_MAX_REQUEST_BYTES, 64 * 1024, 100, 0, Optional.empty());
  }

  public HttpSettings withMaxRequestBytes(int bytes) {
    return new HttpSettings(host, port, bytes, maxHeaderBytes, maxJsonDepth, ioThreads, tls);
  }

  public HttpSettings withIoThreads(int threads) {
    return new HttpSettings(host, port, maxRequestBytes, maxHeaderBytes, maxJsonDepth, threads, tls);
  }

  public HttpSettings withTls(TlsSettings t) {
    return new HttpSettings(host, port, maxRequestBytes, maxHeaderBytes, maxJsonDepth, ioThreads, Optional.of(t));
  }
}
