package dev.kiln.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One model version as the registry describes it, resolved once on the driver and shipped to the executors.
 *
 * @param sha256 of the plaintext model file (lower-case hex): what the executor's bytes must hash to
 * @param artifact the artifact store's key for the file
 */
record VersionRef(String model, long version, String sha256, String artifact) implements Serializable {
  VersionRef {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(artifact, "artifact");
  }

  /** How messages name it. */
  String label() {
    return "model '" + model + "' version " + version;
  }
}
