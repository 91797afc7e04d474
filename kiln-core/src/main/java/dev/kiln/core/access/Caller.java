package dev.kiln.core.access;

/**
 * Who is calling, as a protocol adapter sees it.
 *
 * @param token the API key from {@code Authorization: Bearer} (or gRPC metadata {@code authorization}); null if none
 * @param source the peer address, for the audit log
 */
public record Caller(String token, String source) {
  /** The token from an {@code Authorization} header value, or null. */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String v = authorization.strip();
    return v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).strip() : null;
  }
}
