package dev.kiln.http;

import dev.kiln.core.tls.TlsMaterial;
import dev.kiln.core.tls.TlsSettings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/** The HTTPS context of the listener: the JDK's TLS 1.3/1.2, ALPN offering only HTTP/1.1. */
final class HttpTls {
  private HttpTls() {}

  static SslContext context(TlsSettings settings) {
    TlsMaterial m = settings.load();
    SslContextBuilder b =
        SslContextBuilder.forServer(m.key(), m.chain())
            .sslProvider(SslProvider.JDK)
            .protocols(TlsSettings.PROTOCOLS)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_1_1))
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
      throw new IllegalStateException("TLS context for " + settings.certChain() + ": " + e.getMessage(), e);
    }
  }
}
