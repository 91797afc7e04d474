package dev.kiln.protocol.rest;

import java.util.Objects;

/**
 * Limits and address of the HTTP listener.
 *
 * @param host interface to bind
 * @param port port to bind; 0 picks a free one
 * @param maxRequestBytes largest request body after decompression; larger bodies get 413
 * @param maxHeaderBytes largest header block; larger gets 431
 * @param maxJsonDepth deepest JSON nesting accepted; deeper gets 400
 * @param ioThreads Netty event-loop threads; 0 means one per core
 */
public record HttpSettings(String host, int port, int maxRequestBytes, int maxHeaderBytes, int maxJsonDepth,
    int ioThreads) {
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

  public HttpSettings {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("max request size must be at least 1 KiB");
    }
  }

  public static HttpSettings defaults(String host, int port) {
    return new HttpSettings(host, port, DEFAULT_MAX_REQUEST_BYTES, 64 * 1024, 100, 0);
  }

  public HttpSettings withMaxRequestBytes(int bytes) {
    return new HttpSettings(host, port, bytes, maxHeaderBytes, maxJsonDepth, ioThreads);
  }
}
