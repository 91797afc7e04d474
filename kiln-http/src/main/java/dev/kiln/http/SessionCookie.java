package dev.kiln.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The browser session cookie ({@value #NAME}) and its CSRF token. A request the cookie authenticates (no {@code
 * Authorization} header) that may change something (any method but GET, HEAD and OPTIONS) must carry header {@value
 * #CSRF_HEADER} with {@link #csrfToken} of its session: a page on another site can make the browser send the cookie,
 * but cannot read the token, which the console gets from the sign-in answer and {@code GET /api/v1/session}.
 *
 * <p>The token is derived from the session token rather than stored, so every replica checks it without a lookup. The
 * session token is 256 random bits in an HttpOnly cookie, so the derivation is as hard to guess as the session itself.
 */
public final class SessionCookie {
  public static final String NAME = "kiln_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private SessionCookie() {}

  /** The CSRF token of session {@code session}: base64url(SHA-256("kiln-csrf:" + session)), unpadded. */
  public static String csrfToken(String session) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("kiln-csrf:" + session));
  }

  /** The value of header {@code Set-Cookie} that gives the browser {@code session} for {@code maxAge}. */
  public static String set(String session, Duration maxAge, boolean secure) {
    return NAME + "=" + session + attributes(maxAge.toSeconds(), secure);
  }

  /** The value of header {@code Set-Cookie} that makes the browser forget its session cookie. */
  public static String clear(boolean secure) {
    return NAME + "=" + attributes(0, secure);
  }

  private static String attributes(long maxAgeSeconds, boolean secure) {
    // Strict: a page on another site never makes the browser send it; HttpOnly: no script reads it.
    return "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds + (secure ? "; Secure" : "");
  }

  /** The session token in the request's {@code Cookie} header, if any (RFC 6265 syntax; anything else is ignored). */
  public static Optional<String> from(HttpHeaders headers) {
    for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
        if (NAME.equals(c.name()) && !c.value().isEmpty()) {
          return Optional.of(c.value());
        }
      }
    }
    return Optional.empty();
  }

  /** Whether a request with {@code method} needs the CSRF token when its cookie authenticates it. */
  static boolean changes(HttpMethod method) {
    return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
  }

  /** Whether {@code presented} is the CSRF token of {@code session}; compared in constant time. */
  static boolean csrfMatches(String session, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            csrfToken(session).getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
