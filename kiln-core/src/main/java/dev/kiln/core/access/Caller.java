package dev.kiln.core.access;

/**
 * Who is calling, as a protocol adapter sees it.
 *
 * @param token the API key from {@code Authorization: Bearer} (or gRPC metadata {@code authorization}); null if none
 * @param session the browser session token from cookie {@code kiln_session}; null if none. A gate uses it only when
 *     there is no {@code token}: a bearer key wins over the cookie
 * @param source the peer address, for the audit log
 */
public record Caller(String token, String session, String source) {
  /** The token from an {@code Authorization} header value, or null. */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String v = authorization.strip();
    return v.regionMatches(true, 0, "Bearer ", 0, 7) ? v.substring(7).strip() : null;
  }
}
