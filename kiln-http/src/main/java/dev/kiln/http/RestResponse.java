package dev.kiln.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers. {@code body} is written as is (it may be a composite of a JSON header and tensor buffers, so
 * binary outputs are never copied into one array). A response with a {@code stream} sends its head at once and then
 * whatever the stream writes, chunked, until it ends (Server-Sent Events).
 *
 * @param rows the rows (batch entries) an inference answered, for the caller's usage; 0 for other responses
 */
public record RestResponse(
    HttpResponseStatus status,
    String contentType,
    ByteBuf body,
    Map<String, String> headers,
    StreamBody stream,
    long rows) {
  public RestResponse {
    headers = Map.copyOf(headers);
  }

  public RestResponse(
      HttpResponseStatus status, String contentType, ByteBuf body, Map<String, String> headers, StreamBody stream) {
    this(status, contentType, body, headers, stream, 0);
  }

  public RestResponse(HttpResponseStatus status, String contentType, ByteBuf body, Map<String, String> headers) {
    this(status, contentType, body, headers, null);
  }

  /** This response, as the answer to an inference of {@code n} rows. */
  public RestResponse withRows(long n) {
    return new RestResponse(status, contentType, body, headers, stream, n);
  }

  /** A {@code text/event-stream} response whose events {@code body} writes. */
  public static RestResponse events(StreamBody body) {
    return new RestResponse(
        HttpResponseStatus.OK, "text/event-stream", Unpooled.EMPTY_BUFFER, Map.of("cache-control", "no-cache"), body);
  }

  public static RestResponse json(HttpResponseStatus status, byte[] json) {
    return new RestResponse(status, "application/json", Unpooled.wrappedBuffer(json), Map.of());
  }

  public static RestResponse text(HttpResponseStatus status, String contentType, String text) {
    return new RestResponse(
        status, contentType, Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)), Map.of());
  }

  public static RestResponse empty(HttpResponseStatus status) {
    return new RestResponse(status, "application/json", Unpooled.EMPTY_BUFFER, Map.of());
  }
}
