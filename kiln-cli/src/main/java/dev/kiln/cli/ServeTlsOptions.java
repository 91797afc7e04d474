package dev.kiln.cli;

import dev.kiln.core.tls.TlsSettings;
import dev.kiln.core.tls.TlsSettings.ClientAuth;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code kiln serve}'s TLS options: one certificate for both listeners (HTTPS and gRPC), optionally mutual TLS. */
final class ServeTlsOptions {
  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description =
          "Serve HTTPS and gRPC over TLS with this " + "certificate chain (server certificate first); needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Private key of --tls-cert, unencrypted " + "PKCS#8 PEM (-----BEGIN PRIVATE KEY-----).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Ask clients for certificates signed by " + "these CAs (mutual TLS).")
  Path tlsClientCa;

  @Option(
      names = "--tls-client-auth",
      paramLabel = "MODE",
      description =
          "With --tls-client-ca: require "
              + "(default) or optional; optional still refuses a certificate the CAs did not sign.")
  ClientAuth tlsClientAuth;

  /**
   * The options as settings; empty without --tls-cert.
   *
   * @param cli the command the options were given to, named by a {@link ParameterException} for a combination that does
   *     not go together
   */
  Optional<TlsSettings> settings(CommandLine cli) {
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null || tlsClientAuth != null) {
        throw new ParameterException(cli, "--tls-client-ca and --tls-client-auth need --tls-cert " + "and --tls-key");
      }
      return Optional.empty();
    }
    if (tlsCert == null || tlsKey == null) {
      throw new ParameterException(cli, "--tls-cert and --tls-key go together");
    }
    TlsSettings tls = TlsSettings.of(tlsCert, tlsKey);
    if (tlsClientCa != null) {
      ClientAuth auth = tlsClientAuth == null ? ClientAuth.REQUIRE : tlsClientAuth;
      if (auth == ClientAuth.NONE) {
        throw new ParameterException(cli, "--tls-client-auth must be require or optional");
      }
      return Optional.of(tls.withClientAuth(tlsClientCa, auth));
    }
    if (tlsClientAuth != null) {
      throw new ParameterException(cli, "--tls-client-auth needs --tls-client-ca");
    }
    return Optional.of(tls);
  }
}
