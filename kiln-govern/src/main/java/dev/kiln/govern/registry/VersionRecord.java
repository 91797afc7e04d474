package dev.kiln.govern.registry;

import java.time.Instant;

/**
 * A model version: immutable once {@link State#PUBLISHED}.
 *
 * @param artifact the artifact store's key for the (encrypted) file
 * @param sha256 of the plaintext model file, verified at every load
 * @param source {@code uploaded} or {@code trained}
 * @param format e.g. {@code onnx}, {@code gguf}
 * @param metadata JSON: lineage, signature, metrics (free-form, written by whoever registered it)
 */
public record VersionRecord(
    String model,
    long version,
    State state,
    String format,
    String artifact,
    String sha256,
    long sizeBytes,
    String source,
    String metadata,
    String createdBy,
    Instant created) {
  public enum State {
    /** Reserved while its file is being written; invisible to serving; cleaned up if the writer died. */
    PENDING,
    PUBLISHED,
    ARCHIVED
  }
}
