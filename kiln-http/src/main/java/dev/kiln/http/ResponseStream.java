package dev.kiln.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

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

  /**
   * Sends {@code bytes} as one chunk (taking ownership of the buffer) and waits until the connection has written it, so
   * a producer of a large body holds one chunk at a time however slow the client. Never call it on the event loop.
   *
   * @return false if the stream is closed (the client has gone): stop producing
   */
  boolean send(ByteBuf bytes);

  /**
   * The body as a stream of bytes, sent in chunks of {@code 64 KiB} by {@link #send}; closing it does not end the
   * response. For a producer on a blocking thread: a file download. Writing after the client has gone throws.
   */
  default OutputStream output() {
    OutputStream raw =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            // A pooled direct chunk, freed once written: a long download makes no heap garbage per chunk.
            if (len > 0 && !send(PooledByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(b, off, len))) {
              throw new IOException("the client closed the connection");
            }
          }
        };
    return new BufferedOutputStream(raw, 64 * 1024);
  }

  /**
   * Closes the connection without finishing the body, so the client sees it cut short rather than complete: for a
   * producer that failed halfway.
   */
  void abort();

  /** Finishes the response. */
  void end();

  boolean isOpen();

  /** Runs {@code action} once when the stream ends or the connection closes, whichever comes first. */
  void onClose(Runnable action);
}
