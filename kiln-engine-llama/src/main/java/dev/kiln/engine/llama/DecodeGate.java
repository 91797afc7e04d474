package dev.kiln.engine.llama;

/**
 * Keeps the binding's generations and the C API's (log-probability) generations apart in time, process-wide: run
 * together, each corrupted the other's tokens (greedy texts differed from the same generation run alone, on the tiny
 * model, in {@code LogprobsTest}), while two binding models together, or C-API generations one decode step at a time,
 * stay exact. One kind runs while the other waits; once a kind waits, the running kind admits no more, and the waiting
 * kind goes when the running one's last generation ends, so a stream of one kind never starves the other.
 *
 * <p>Process-wide because llama.cpp's library is loaded once per process, whatever model calls it.
 */
final class DecodeGate {
  /** The binding's generations and embeddings. */
  static final int BINDING = 0;

  /** Generations decoded through {@link LlamaApi}. */
  static final int C_API = 1;

  static final DecodeGate PROCESS = new DecodeGate();

  private final int[] active = new int[2];
  private final int[] waiting = new int[2];
  private int preferred = BINDING;

  /** Waits until generations of {@code kind} may run; pair with {@link #exit}. */
  synchronized void enter(int kind) throws InterruptedException {
    int other = 1 - kind;
    waiting[kind]++;
    try {
      while (active[other] > 0 || (waiting[other] > 0 && preferred == other)) {
        if (active[other] > 0) {
          preferred = kind; // this kind goes next: the running kind admits no more
        }
        wait();
      }
    } catch (InterruptedException e) {
      waiting[kind]--;
      notifyAll(); // the other kind may have been waiting for this one's turn
      throw e;
    }
    waiting[kind]--;
    active[kind]++;
  }

  synchronized void exit(int kind) {
    if (--active[kind] == 0) {
      preferred = 1 - kind;
      notifyAll();
    }
  }
}
