package dev.kiln.http;

/**
 * The open body of a streamed response. Any thread may write; writes after the client has gone are dropped. The
 * producer must call {@link #end()} when it is done, and should stop producing once {@link #onClose} fires (the client
 * disconnected, or the server is stopping).
 */
public interface ResponseStream {
  /** Sends {@code text} as one chunk; false if the stream is already closed. */
  boolean write(String text);

  /** One Server-Sent Event: {@code event: name} and {@code data: json} (a single line). */
  default boolean event(String name, String json) {
    return write("event: " + name + "\ndata: " + json + "\n\n");
  }

  /** Finishes the response. */
  void end();

  boolean isOpen();

  /** Runs {@code action} once when the stream ends or the connection closes, whichever comes first. */
  void onClose(Runnable action);
}
