package dev.kiln.bench;

import java.util.Locale;

/** How a load-generator worker reaches the model. */
enum Mode {
  IN_PROCESS("in-process", "ModelInstance.run on the worker's own thread with a direct-buffer tensor built once "
      + "per row; no Kiln, no network (the ceiling)"),
  IN_PROCESS_HEAP("in-process-heap", "as in-process, but each call builds its tensor from a float[], which the "
      + "engine copies into a direct buffer it allocates per call (what a plain Java caller pays)"),
  REST_JSON("rest-json", "POST /v2/models/{m}/infer, JSON tensors in and out, one keep-alive connection per worker"),
  REST_BINARY("rest-binary", "POST /v2/models/{m}/infer with Triton's binary tensor extension, binary in and out"),
  GRPC("grpc", "ModelInfer with raw_input_contents / raw_output_contents, one channel, a blocking stub per worker"),
  /**
   * An experiment, not part of the default run: the same gRPC calls against a second listener on the same core,
   * built with {@code directExecutor()}, to measure what grpc-java's default executor hop costs Kiln.
   */
  GRPC_DIRECT("grpc-direct", "as grpc, against a listener built with NettyServerBuilder.directExecutor() "
      + "(experiment: the cost of grpc-java's executor hop)");

  private final String label;
  private final String description;

  Mode(String label, String description) {
    this.label = label;
    this.description = description;
  }

  String label() {
    return label;
  }

  String description() {
    return description;
  }

  /** Whether requests go through a Kiln server (and so through its batcher). */
  boolean viaServer() {
    return this != IN_PROCESS && this != IN_PROCESS_HEAP;
  }

  static Mode parse(String s) {
    String want = s.trim().toLowerCase(Locale.ROOT);
    for (Mode m : values()) {
      if (m.label.equals(want)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown mode '" + s + "' (expected: in-process, in-process-heap, rest-json, rest-binary, grpc, grpc-direct)");
  }
}
