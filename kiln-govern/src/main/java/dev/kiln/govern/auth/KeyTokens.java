package dev.kiln.govern.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The key format, {@code kiln_<id>_<secret>}: a 12-character id to find the key by, and a 256-bit secret. The prefix
 * makes leaked keys easy to spot (secret scanners match it); only the secret's SHA-256 is ever stored.
 */
public final class KeyTokens {
  private static final String PREFIX = "kiln_";
  private static final int ID_LENGTH = 12;

  /** 32 random bytes in unpadded base64url. */
  private static final int SECRET_LENGTH = 43;

  private static final int TOKEN_LENGTH = PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH;
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A parsed token. */
  public record Parts(String id, String secret) {}

  private KeyTokens() {}

  public static String newId() {
    StringBuilder sb = new StringBuilder(12);
    for (int i = 0; i < 12; i++) {
      sb.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return sb.toString();
  }

  public static String newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String token(String id, String secret) {
    return "kiln_" + id + "_" + secret;
  }

  /**
   * The parts of a well-formed token ({@code kiln_[a-z2-7]{12}_[A-Za-z0-9_-]{43}}), or empty. Checked by hand rather
   * than with a regular expression because it runs on every request: the regex was a third of what authentication cost
   * (BENCHMARKS.md, "Authorisation and rate limiting overhead").
   */
  public static Optional<Parts> parse(String token) {
    if (token == null
        || token.length() != TOKEN_LENGTH
        || !token.startsWith(PREFIX)
        || token.charAt(PREFIX.length() + ID_LENGTH) != '_') {
      return Optional.empty();
    }
    int idEnd = PREFIX.length() + ID_LENGTH;
    for (int i = PREFIX.length(); i < idEnd; i++) {
      char c = token.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '2' && c <= '7')) {
        return Optional.empty();
      }
    }
    for (int i = idEnd + 1; i < TOKEN_LENGTH; i++) {
      char c = token.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return Optional.empty();
      }
    }
    return Optional.of(new Parts(token.substring(PREFIX.length(), idEnd), token.substring(idEnd + 1)));
  }

  public static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compares in constant time, so response timing reveals nothing about how much of a guess was right. */
  public static boolean matches(String secret, String storedHash) {
    return MessageDigest.isEqual(
        hash(secret).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
  }
}
