package dev.kiln.protocol.grpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ModelStreamInfer calls that are open, so that a drain can end them: a client keeps a stream open as long as it
 * likes, and without this the server's graceful shutdown would wait for it until the drain timeout, then cut it off
 * with responses still owed (issue 10 item 4).
 */
final class OpenStreams {
  private final Set<InferStream> open = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  /** Registers a new stream; false once draining, when the caller must refuse it. */
  boolean add(InferStream s) {
    open.add(s);
    if (draining) {
      open.remove(s);
      return false;
    }
    return true;
  }

  void remove(InferStream s) {
    open.remove(s);
  }

  /** Refuses new streams from now on. */
  void drain() {
    draining = true;
  }

  /** Refuses new streams and ends every open one once the responses it owes are sent. */
  void endAll() {
    drain();
    open.forEach(InferStream::end);
  }

  int size() {
    return open.size();
  }
}
