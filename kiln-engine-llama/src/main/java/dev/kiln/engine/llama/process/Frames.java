package dev.kiln.engine.llama.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.Optional;

/**
 * Length-prefixed JSON frames on a blocking channel: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 * Writes are serialized (several threads answer on one channel); reads are for one reader thread. A claimed length is
 * checked before anything is allocated for it.
 */
final class Frames {
  /** Embeddings of a large batch are the biggest frames; 64 MiB leaves them room and bounds a corrupt length. */
  static final int MAX_FRAME = 64 << 20;

  static final ObjectMapper JSON = new ObjectMapper();

  private final ByteChannel channel;
  private final ByteBuffer header = ByteBuffer.allocate(4);

  Frames(ByteChannel channel) {
    this.channel = channel;
  }

  ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * @throws IOException when the channel is closed or broken (the other side is gone)
   */
  void write(JsonNode frame) throws IOException {
    byte[] body = JSON.writeValueAsBytes(frame);
    ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
    synchronized (this) {
      while (out.hasRemaining()) {
        channel.write(out);
      }
    }
  }

  /** The next frame; empty at the end of the stream (the other side closed or died). */
  Optional<JsonNode> read() throws IOException {
    header.clear();
    if (!fill(header)) {
      return Optional.empty();
    }
    int length = header.flip().getInt();
    if (length < 0 || length > MAX_FRAME) {
      throw new IOException("frame of " + length + " bytes (expected: 0 to " + MAX_FRAME + ")");
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    if (!fill(body)) {
      throw new EOFException("stream ended inside a frame");
    }
    return Optional.of(JSON.readTree(body.array()));
  }

  /** False when the stream ends before the first byte; an end after it is an error. */
  private boolean fill(ByteBuffer b) throws IOException {
    boolean any = false;
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        if (any || b.position() > 0) {
          throw new EOFException("stream ended inside a frame");
        }
        return false;
      }
      any = true;
    }
    return true;
  }
}
