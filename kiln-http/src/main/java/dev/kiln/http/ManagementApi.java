package dev.kiln.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the management routes under {@code /api/v1} share: one JSON style ({@link ApiJson}; the CLI reads it with the
 * same mapper) and the server's blocking executor ({@link RestRequest#blocking}), since they block on files and the
 * database and must never run on the event loop.
 */
public final class ManagementApi {
  /** A dataset or model name in a path, as a capture group; the stores check the full grammar. */
  public static final String NAME = "([A-Za-z0-9][A-Za-z0-9_.-]{0,63})";

  private ManagementApi() {}

  /** Runs {@code body} off the event loop and answers it as JSON with {@code status}. */
  public static CompletableFuture<RestResponse> json(RestRequest q, HttpResponseStatus status, Supplier<Object> body) {
    return CompletableFuture.supplyAsync(() -> RestResponse.json(status, ApiJson.write(body.get())), q.blocking());
  }

  /** A copy of the request body (the buffer is released once the handler returns). */
  public static byte[] body(RestRequest q) {
    byte[] b = new byte[q.body().readableBytes()];
    q.body().getBytes(q.body().readerIndex(), b);
    return b;
  }
}
