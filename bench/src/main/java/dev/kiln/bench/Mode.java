package dev.kiln.bench;

import java.util.Arrays;
import java.util.Locale;

/** How a load-generator worker reaches the model. */
enum Mode {
  IN_PROCESS(
      "in-process",
      "ModelInstance.run on the worker's own thread with a direct-buffer tensor built once "
          + "per row; no Kiln, no network (the ceiling)"),
  IN_PROCESS_HEAP(
      "in-process-heap",
      "as in-process, but each call builds its tensor from a float[], which the "
          + "engine copies into a direct buffer it allocates per call (what a plain Java caller pays)"),
  REST_JSON("rest-json", "POST /v2/models/{m}/infer, JSON tensors in and out, one keep-alive connection per worker"),
  REST_BINARY("rest-binary", "POST /v2/models/{m}/infer with Triton's binary tensor extension, binary in and out"),
  /** As rest-binary, against a second server with governance and API keys on; the key has no limits. */
  REST_BINARY_AUTH(
      "rest-binary-auth",
      "as rest-binary, against a server with governance and auth on, sending "
          + "Authorization: Bearer with a key that has no limits (authentication, scope check, usage accounting)"),
  /** As rest-binary-auth with a key whose limits are never reached, so the rate limiter counts every request. */
  REST_BINARY_AUTH_LIMITED(
      "rest-binary-auth-limited",
      "as rest-binary-auth, with a key limited to 10^9 requests "
          + "per minute and per day (never reached): the rate limiter's per-request path too"),
  /** As rest-json, against the governed server with the unlimited key. */
  REST_JSON_AUTH(
      "rest-json-auth",
      "as rest-json, against the server with governance and auth on, with the key " + "that has no limits"),
  GRPC("grpc", "ModelInfer with raw_input_contents / raw_output_contents, one channel, a blocking stub per worker"),
  /**
   * An experiment, not part of the default run: the same gRPC calls against a second listener on the same core, built
   * with {@code directExecutor()}, to measure what grpc-java's default executor hop costs Kiln.
   */
  GRPC_DIRECT(
      "grpc-direct",
      "as grpc, against a listener built with NettyServerBuilder.directExecutor() "
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

  /** Whether requests go to the second server, the one with governance and API keys on. */
  boolean governed() {
    return this == REST_BINARY_AUTH || this == REST_BINARY_AUTH_LIMITED || this == REST_JSON_AUTH;
  }

  /** The mode these requests are the governed counterpart of, or this mode itself. */
  Mode ungoverned() {
    return switch (this) {
      case REST_BINARY_AUTH, REST_BINARY_AUTH_LIMITED -> REST_BINARY;
      case REST_JSON_AUTH -> REST_JSON;
      default -> this;
    };
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
        "unknown mode '"
            + s
            + "' (expected: one of "
            + String.join(", ", Arrays.stream(values()).map(Mode::label).toList())
            + ")");
  }
}
