package dev.kiln.server;

import dev.kiln.core.oip.OipOperation;
import java.util.List;
import java.util.Map;

/**
 * One OIP call as the cross-protocol scenarios describe it, and what came back, in terms both protocols share.
 *
 * @param model empty for operations that name none
 * @param version empty for none
 * @param alias sent as {@code kiln-model-alias} (REST header, gRPC metadata); empty for none
 * @param parameters load/unload parameter names, each sent as {@code true}
 */
record OipCall(OipOperation op, String model, String version, String alias, List<String> parameters) {
  static final String ADD_SUB_INFER =
      "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";

  static OipCall of(OipOperation op) {
    return new OipCall(op, "", "", "", List.of());
  }

  static OipCall of(OipOperation op, String model) {
    return new OipCall(op, model, "", "", List.of());
  }

  OipCall version(String v) {
    return new OipCall(op, model, v, alias, parameters);
  }

  OipCall alias(String a) {
    return new OipCall(op, model, version, a, parameters);
  }

  OipCall parameters(String... names) {
    return new OipCall(op, model, version, alias, List.of(names));
  }

  /** The outcome classes both protocols must agree on. */
  enum Outcome {
    OK,
    /** A known model or version that cannot serve now: REST 503 on {@code /ready}, gRPC {@code ready: false}. */
    NOT_READY,
    UNAUTHENTICATED,
    DENIED,
    NOT_FOUND,
    INVALID,
    UNSUPPORTED,
    /** Anything else: always a failure of the scenario. */
    OTHER
  }

  /**
   * @param facts what the answer's view says, normalised so REST's JSON and gRPC's messages compare equal
   * @param detail the raw status and body, for failure messages
   */
  record Answer(Outcome outcome, Map<String, String> facts, String detail) {
    static Answer failed(Outcome outcome, String detail) {
      return new Answer(outcome, Map.of(), detail);
    }
  }

  /** A protocol's client for the scenarios. */
  interface Client {
    /**
     * @param token an API key, empty for none
     */
    Answer call(OipCall call, String token) throws Exception;
  }
}
