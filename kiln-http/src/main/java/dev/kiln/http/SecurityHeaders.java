package dev.kiln.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the browser security headers to every response the server writes: routes' answers, errors, 404s, the heads of
 * streams, and the answers the pipeline writes itself (an oversized body's 413). It sits in the pipeline rather than in
 * each writer so that no path can miss it. A route that sets one of these headers itself keeps its own value.
 *
 * <p>The policy allows only the server's own scripts, styles and connections: no inline script or style, no other host,
 * no framing; images may also be data: and blob: URLs (the console's image previews and charts).
 */
@ChannelHandler.Sharable
final class SecurityHeaders extends ChannelOutboundHandlerAdapter {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self';"
          + " font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  static final SecurityHeaders INSTANCE = new SecurityHeaders();

  private SecurityHeaders() {}

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse r && r.status().code() >= 200) { // not on 100 Continue
      HttpHeaders h = r.headers();
      setIfAbsent(h, "content-security-policy", CONTENT_SECURITY_POLICY);
      setIfAbsent(h, "x-content-type-options", "nosniff");
      setIfAbsent(h, "referrer-policy", "no-referrer");
    }
    super.write(ctx, msg, promise);
  }

  private static void setIfAbsent(HttpHeaders h, String name, String value) {
    if (!h.contains(name)) {
      h.set(name, value);
    }
  }
}
