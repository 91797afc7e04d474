package dev.kiln.bench.llm;

import java.util.Arrays;

/**
 * One stream as the client saw it, in {@link System#nanoTime()} units.
 *
 * @param sent when the request was sent (in-process: when {@code generate} was called)
 * @param arrivals when each piece of text arrived, in order
 * @param end when the stream ended
 * @param tokens completion tokens, as the engine or the server's usage chunk counted them
 */
record Trace(long sent, long[] arrivals, long end, int tokens) {
  Trace {
    if (arrivals.length == 0) {
      throw new IllegalStateException("stream ended without text");
    }
    arrivals = arrivals.clone();
  }

  long firstTokenNanos() {
    return arrivals[0] - sent;
  }

  /** Tokens per second over the whole stream, first token's wait included. */
  double tokensPerSecond() {
    return tokens / ((end - sent) / 1e9);
  }

  /** The gaps between consecutive pieces. */
  long[] gaps() {
    long[] g = new long[arrivals.length - 1];
    Arrays.setAll(g, i -> arrivals[i + 1] - arrivals[i]);
    return g;
  }

  /** Collects arrivals from one thread (the engine's or the reader's); sized for the pieces a stream can bring. */
  static final class Recorder {
    private final long sent;
    private long[] arrivals;
    private int count;

    Recorder(long sent, int expectedPieces) {
      this.sent = sent;
      this.arrivals = new long[Math.max(expectedPieces, 1)];
    }

    void arrived(long nanos) {
      if (count == arrivals.length) {
        arrivals = Arrays.copyOf(arrivals, count * 2);
      }
      arrivals[count++] = nanos;
    }

    int pieces() {
      return count;
    }

    Trace end(long nanos, int tokens) {
      return new Trace(sent, Arrays.copyOf(arrivals, count), nanos, tokens);
    }
  }
}
