package dev.kiln.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM certificates and PKCS#8 keys with the JDK alone. */
final class Pem {
  private static final Pattern KEY =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([^-]*)-----END \\1PRIVATE KEY-----");
  private static final String TO_PKCS8 = "convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem`";

  private Pem() {}

  static List<X509Certificate> certificates(String role, Path file) {
    String text = read(role, file);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new TlsFileException(role, file, "not a PEM certificate file (no -----BEGIN CERTIFICATE----- block)");
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      throw new TlsFileException(role, file, "unreadable certificate: " + e.getMessage(), e);
    }
  }

  /**
   * @param algorithm the key algorithm the certificate names, tried first; the others only tell a key of another type
   *     (which cannot belong to the certificate) from a corrupt one
   */
  static PrivateKey privateKey(String role, Path file, String algorithm) {
    Matcher m = KEY.matcher(read(role, file));
    if (!m.find()) {
      throw new TlsFileException(role, file, "not a PEM private key (no -----BEGIN PRIVATE KEY----- block)");
    }
    switch (m.group(1).trim()) {
      case "" -> {}
      case "RSA" -> throw new TlsFileException(role, file, "is a PKCS#1 RSA key; Kiln reads PKCS#8: " + TO_PKCS8);
      case "EC" -> throw new TlsFileException(role, file, "is a SEC1 EC key; Kiln reads PKCS#8: " + TO_PKCS8);
      case "ENCRYPTED" ->
          throw new TlsFileException(role, file, "is encrypted; Kiln reads unencrypted keys: " + TO_PKCS8);
      default -> throw new TlsFileException(role, file, "unsupported key type " + m.group(1).trim());
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2).trim());
    } catch (IllegalArgumentException e) {
      throw new TlsFileException(role, file, "the key block is not valid base64", e);
    }
    for (String alg : new LinkedHashSet<>(List.of(algorithm, "RSA", "EC", "EdDSA", "RSASSA-PSS"))) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new TlsFileException(role, file, "unreadable PKCS#8 key (not RSA, EC or EdDSA)");
  }

  /** Whether a signature made with {@code key} verifies with the certificate's public key. */
  static boolean belongTogether(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> null;
        };
    if (alg == null) {
      return true; // no check for this key type here; the TLS handshake will still fail on a mismatch
    }
    if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())
        && !(alg.equals("EdDSA") && cert.getPublicKey().getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String read(String role, Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(role, file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new TlsFileException(role, file, "permission denied", e);
    } catch (IOException e) {
      throw new TlsFileException(role, file, "cannot read: " + e.getMessage(), e);
    }
  }
}
