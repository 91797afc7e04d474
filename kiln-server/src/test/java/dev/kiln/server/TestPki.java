package dev.kiln.server;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for a test: CAs, a server certificate for {@code localhost} and {@code 127.0.0.1}, and client
 * certificates, each written as PEM (key as PKCS#8) like an operator would hand them to {@code kiln serve}.
 * BouncyCastle signs them because the JDK has no public API for issuing certificates.
 */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair with its certificate, and where both were written. */
  record Issued(KeyPair keys, X509Certificate cert, Path certFile, Path keyFile) {
    /**
     * A client-side context trusting the {@code trusted} CA and presenting this certificate to any server that asks,
     * even one naming other CAs (the JDK's own key managers would then send none).
     */
    SSLContext clientContext(Issued trusted) throws GeneralSecurityException, IOException {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {keyManager()}, trusted.trustManagers().getTrustManagers(), null);
      return ctx;
    }

    /** Presents this certificate whatever CAs the server names. */
    X509ExtendedKeyManager keyManager() {
      return new X509ExtendedKeyManager() {
        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return "me";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          return "me";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return new X509Certificate[] {cert};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
          return keys.getPrivate();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {"me"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }
      };
    }

    /** A client-side context trusting this (CA) certificate and presenting none. */
    SSLContext trustingContext() throws GeneralSecurityException, IOException {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trustManagers().getTrustManagers(), null);
      return ctx;
    }

    private TrustManagerFactory trustManagers() throws GeneralSecurityException, IOException {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      return tmf;
    }
  }

  private TestPki() {}

  /** A self-signed EC P-256 CA. */
  static Issued ca(Path dir, String name) throws Exception {
    KeyPair keys = ec();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b =
        builder(subject, subject, keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return write(dir, name, keys, sign(b, keys.getPrivate()));
  }

  /** An RSA server certificate for {@code localhost} and {@code 127.0.0.1}, signed by {@code ca}. */
  static Issued server(Path dir, Issued ca) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair keys = g.generateKeyPair();
    X509v3CertificateBuilder b =
        leaf(ca, "localhost", keys, KeyPurposeId.id_kp_serverAuth)
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(
                    new GeneralName[] {
                      new GeneralName(GeneralName.dNSName, "localhost"),
                      new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
                    }));
    return write(dir, "server", keys, sign(b, ca.keys().getPrivate()));
  }

  /** An EC client certificate signed by {@code ca}. */
  static Issued client(Path dir, Issued ca, String name) throws Exception {
    KeyPair keys = ec();
    return write(dir, name, keys, sign(leaf(ca, name, keys, KeyPurposeId.id_kp_clientAuth), ca.keys().getPrivate()));
  }

  /** The key in the traditional PKCS#1 ({@code RSA PRIVATE KEY}) form Kiln refuses. */
  static Path pkcs1(Issued rsa, Path file) throws IOException {
    byte[] der =
        PrivateKeyInfo.getInstance(rsa.keys().getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();
    return Files.writeString(file, pem("RSA PRIVATE KEY", der));
  }

  private static X509v3CertificateBuilder leaf(Issued ca, String name, KeyPair keys, KeyPurposeId purpose)
      throws IOException {
    return builder(
            X500Name.getInstance(ca.cert().getSubjectX500Principal().getEncoded()), new X500Name("CN=" + name), keys)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
  }

  private static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static Issued write(Path dir, String name, KeyPair keys, X509Certificate cert)
      throws IOException, GeneralSecurityException {
    Path certFile = Files.writeString(dir.resolve(name + ".pem"), pem("CERTIFICATE", cert.getEncoded()));
    Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return new Issued(keys, cert, certFile, keyFile);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
