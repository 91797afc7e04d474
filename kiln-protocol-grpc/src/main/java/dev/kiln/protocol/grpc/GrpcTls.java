package dev.kiln.protocol.grpc;

import dev.kiln.core.tls.TlsMaterial;
import dev.kiln.core.tls.TlsSettings;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/** The listener's TLS context: the JDK's TLS 1.3/1.2 with gRPC's ALPN (h2) and cipher choices. */
final class GrpcTls {
  private GrpcTls() {}

  static SslContext context(TlsSettings settings) {
    TlsMaterial m = settings.load();
    SslContextBuilder b =
        GrpcSslContexts.configure(SslContextBuilder.forServer(m.key(), m.chain()), SslProvider.JDK)
            .protocols(TlsSettings.PROTOCOLS)
            .clientAuth(
                switch (m.clientAuth()) {
                  case NONE -> ClientAuth.NONE;
                  case OPTIONAL -> ClientAuth.OPTIONAL;
                  case REQUIRE -> ClientAuth.REQUIRE;
                });
    if (!m.clientCas().isEmpty()) {
      b.trustManager(m.clientCas());
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("gRPC TLS context for " + settings.certChain() + ": " + e.getMessage(), e);
    }
  }
}
