package dev.kiln.protocol.grpc;

import dev.kiln.core.tls.TlsSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the gRPC listener binds and how large a message it accepts.
 *
 * @param host interface to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port TCP port; 0 picks any free port (read it back with {@link GrpcServer#port()})
 * @param maxInboundMessageBytes largest request message accepted; a larger one fails with RESOURCE_EXHAUSTED before it
 *     is parsed. gRPC's own default is 4 MiB, too small for many tensors, hence {@link
 *     #DEFAULT_MAX_INBOUND_MESSAGE_BYTES}.
 * @param tls TLS from these files, or empty for plaintext (h2c)
 */
public record GrpcSettings(String host, int port, int maxInboundMessageBytes, Optional<TlsSettings> tls) {
  /** 64 MiB, the same cap Triton puts on HTTP bodies. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

  public GrpcSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    if (host.isBlank()) {
      throw new IllegalArgumentException("grpc host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("grpc port must be within 0..65535, got " + port);
    }
    if (maxInboundMessageBytes < 1) {
      throw new IllegalArgumentException("grpc max-inbound-message-bytes must be >= 1, got " + maxInboundMessageBytes);
    }
  }

  /** Binds {@code host:port} with the default 64 MiB message cap. */
  public static GrpcSettings of(String host, int port) {
    return new GrpcSettings(host, port, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, Optional.empty());
  }

  public GrpcSettings withMaxInboundMessageBytes(int bytes) {
    return new GrpcSettings(host, port, bytes, tls);
  }

  public GrpcSettings withTls(TlsSettings t) {
    return new GrpcSettings(host, port, maxInboundMessageBytes, Optional.of(t));
  }
}
