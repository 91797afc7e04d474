package dev.kiln.protocol.rest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers. {@code body} is written as is (it may be a composite of a JSON header and tensor
 * buffers, so binary outputs are never copied into one array).
 */
public record RestResponse(HttpResponseStatus status, String contentType, ByteBuf body, Map<String, String> headers) {
  public RestResponse {
    headers = Map.copyOf(headers);
  }

  public static RestResponse json(HttpResponseStatus status, byte[] json) {
    return new RestResponse(status, "application/json", Unpooled.wrappedBuffer(json), Map.of());
  }

  public static RestResponse text(HttpResponseStatus status, String contentType, String text) {
    return new RestResponse(status, contentType, Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)),
        Map.of());
  }

  public static RestResponse empty(HttpResponseStatus status) {
    return new RestResponse(status, "application/json", Unpooled.EMPTY_BUFFER, Map.of());
  }
}
