package dev.kiln.core.tls;

import dev.kiln.core.tls.TlsSettings.ClientAuth;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The contents of a {@link TlsSettings}' files, read and checked: the key belongs to the first certificate of the
 * chain.
 *
 * @param key the server's private key
 * @param chain the server certificate first, then its intermediates; never empty
 * @param clientCas the certificates client certificates must chain to; empty when {@code clientAuth} is NONE
 * @param clientAuth whether clients are asked for a certificate
 */
public record TlsMaterial(
    PrivateKey key, List<X509Certificate> chain, List<X509Certificate> clientCas, ClientAuth clientAuth) {
  private static final Logger LOG = Logger.getLogger(TlsMaterial.class.getName());

  public TlsMaterial {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    clientCas = List.copyOf(clientCas);
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain must hold the server certificate");
    }
  }

  static TlsMaterial load(TlsSettings s) {
    List<X509Certificate> chain = Pem.certificates("certificate chain", s.certChain());
    X509Certificate leaf = chain.getFirst();
    PrivateKey key = Pem.privateKey("private key", s.privateKey(), leaf.getPublicKey().getAlgorithm());
    if (!Pem.belongTogether(key, leaf)) {
      throw new TlsFileException(
          "private key", s.privateKey(), "does not belong to the certificate in " + s.certChain());
    }
    Date now = new Date();
    if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
      LOG.warning(() ->
          "TLS certificate "
              + s.certChain()
              + " is not valid now (valid "
              + leaf.getNotBefore()
              + " to "
              + leaf.getNotAfter()
              + "); clients will refuse it");
    }
    List<X509Certificate> cas = s.clientCa().map(p -> Pem.certificates("client CA", p)).orElse(List.of());
    return new TlsMaterial(key, chain, cas, s.clientAuth());
  }
}
