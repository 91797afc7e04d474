package dev.kiln.core.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The PEM files a TLS listener is started from, and whether it asks clients for certificates.
 *
 * @param certChain the server certificate, then any intermediates, as PEM {@code CERTIFICATE} blocks
 * @param privateKey the server certificate's private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE
 *     KEY-----}); PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) and encrypted keys are refused with
 *     the {@code openssl pkcs8} command that converts them
 * @param clientCa the certificates that client certificates must chain to; required unless {@code clientAuth} is {@link
 *     ClientAuth#NONE}
 * @param clientAuth whether a client certificate is asked for and whether it is required
 */
public record TlsSettings(Path certChain, Path privateKey, Optional<Path> clientCa, ClientAuth clientAuth) {
  /** TLS 1.3 first; TLS 1.2 for older clients; nothing older. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Whether the server asks for a client certificate (mutual TLS). */
  public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /** A client certificate is asked for; one that does not chain to the client CA fails the handshake. */
    OPTIONAL,
    /** The handshake fails without a client certificate that chains to the client CA. */
    REQUIRE
  }

  public TlsSettings {
    Objects.requireNonNull(certChain, "certChain");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (clientAuth != ClientAuth.NONE && clientCa.isEmpty()) {
      throw new IllegalArgumentException(
          "client auth " + clientAuth.name().toLowerCase(Locale.ROOT) + " needs a client CA file");
    }
    if (clientAuth == ClientAuth.NONE && clientCa.isPresent()) {
      throw new IllegalArgumentException("a client CA file is given but client auth is none");
    }
  }

  /** Server-authenticated TLS only: no client certificates. */
  public static TlsSettings of(Path certChain, Path privateKey) {
    return new TlsSettings(certChain, privateKey, Optional.empty(), ClientAuth.NONE);
  }

  /** The same server certificate, asking clients for certificates that chain to {@code clientCa}. */
  public TlsSettings withClientAuth(Path clientCa, ClientAuth auth) {
    return new TlsSettings(certChain, privateKey, Optional.of(clientCa), auth);
  }

  /**
   * Reads and checks the files.
   *
   * @throws TlsFileException naming the file and what is wrong with it: missing, unreadable, not PEM, a key format
   *     other than PKCS#8, or a key that does not belong to the certificate
   */
  public TlsMaterial load() {
    return TlsMaterial.load(this);
  }
}
