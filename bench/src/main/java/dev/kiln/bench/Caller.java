package dev.kiln.bench;

/** One worker's way to the model: sends one input row and blocks until its answer is back. Not thread-safe. */
interface Caller extends AutoCloseable {
  /**
   * @param row index into {@link Workload#rows()}
   * @param decode whether to decode and return the logits; when false the answer is only checked for success (status
   *     and size), so the client spends as little CPU as possible
   * @return the logits when {@code decode}, otherwise null
   * @throws Exception for any failed call: transport error, non-success status, malformed answer
   */
  float[] call(int row, boolean decode) throws Exception;

  @Override
  void close();

  /** Opens callers for the workers of one cell, and frees what they share (a gRPC channel) afterwards. */
  interface Source extends AutoCloseable {
    Caller open() throws Exception;

    @Override
    default void close() {}
  }
}
