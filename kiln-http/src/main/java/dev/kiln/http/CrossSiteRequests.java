package dev.kiln.http;

import io.netty.handler.codec.http.HttpRequest;

/**
 * Refuses changes a browser sends on behalf of another site's page. Browsers mark every request with {@code
 * Sec-Fetch-Site}, which no page script can set; {@code cross-site} on a POST, PUT, PATCH or DELETE means a form or
 * script on some other site is making the user's browser call Kiln. With auth on, the session cookie (SameSite=Strict)
 * and the CSRF token already stop it; with auth off (a laptop's {@code kiln serve}) nothing else would, and any page
 * the user opens could push, delete or unload models. No legitimate client is refused: programs send no such header,
 * and a cross-site script that sends a key or JSON needs a CORS preflight Kiln never grants.
 */
final class CrossSiteRequests {
  static final String HEADER = "sec-fetch-site";

  static final String REFUSAL =
      "a change requested by another site's page is refused (Sec-Fetch-Site: cross-site): call Kiln from its own"
          + " console, or from a program";

  private CrossSiteRequests() {}

  static boolean forged(HttpRequest req) {
    return SessionCookie.changes(req.method()) && "cross-site".equalsIgnoreCase(req.headers().get(HEADER));
  }
}
