package dev.kiln.http;

/** Produces a streamed response body; called once, on the connection's event loop, after the head is sent. */
@FunctionalInterface
public interface StreamBody {
  void start(ResponseStream out);
}
