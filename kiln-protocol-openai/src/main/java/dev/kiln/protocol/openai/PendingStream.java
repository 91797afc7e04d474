package dev.kiln.protocol.openai;

import dev.kiln.http.ResponseStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A streamed answer whose generation is queued before its response opens: a request refused for a full queue must get
 * its 503 before a 200 and SSE headers go out, so the generation is submitted first and its first pieces may come
 * before the stream is there. Those are kept, then written in order once it is.
 */
final class PendingStream {
  private final List<String> early = new ArrayList<>();
  private ResponseStream out;
  private boolean ended;

  synchronized void write(String text) {
    if (out == null) {
      early.add(text);
    } else {
      out.write(text);
    }
  }

  synchronized void end() {
    if (out == null) {
      ended = true;
    } else {
      out.end();
    }
  }

  /** The response is open: writes what came so far; {@code onClose} runs when the client goes away. */
  void attach(ResponseStream stream, Runnable onClose) {
    synchronized (this) {
      out = stream;
      early.forEach(stream::write);
      early.clear();
      if (ended) {
        stream.end();
      }
    }
    stream.onClose(onClose);
  }
}
