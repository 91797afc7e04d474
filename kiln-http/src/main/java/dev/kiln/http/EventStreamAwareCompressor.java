package dev.kiln.http;

import io.netty.handler.codec.compression.CompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Compresses responses as usual, except event streams: a compressor buffers output until it has a block worth emitting,
 * which would hold back each event the client is waiting for.
 */
final class EventStreamAwareCompressor extends HttpContentCompressor {
  EventStreamAwareCompressor(int threshold, CompressionOptions... options) {
    super(threshold, options);
  }

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type != null && type.startsWith("text/event-stream")) {
      return null;
    }
    return super.beginEncode(response, acceptEncoding);
  }
}
