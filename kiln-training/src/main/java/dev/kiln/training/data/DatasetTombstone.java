package dev.kiln.training.data;

import java.time.Instant;
import java.util.Objects;

/**
 * What is left of a deleted dataset version: what it was (its checksum), who deleted it, when and why. The lineage of
 * every job and model trained on it shows it in place of the bytes.
 *
 * @param deletedBy the key id that deleted it, or {@link #RETENTION} when its name's retention period ran out
 * @param reason why: the caller's words, or {@link #RETENTION}
 */
public record DatasetTombstone(
    String name, int version, String sha256, String deletedBy, Instant deletedAt, String reason) {
  /** Who and why, for a version deleted at the end of its retention period. */
  public static final String RETENTION = "retention";

  public DatasetTombstone {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(deletedBy, "deletedBy");
    Objects.requireNonNull(deletedAt, "deletedAt");
    Objects.requireNonNull(reason, "reason");
  }

  /** The lineage's view of it: {@code dataset_deleted: {by, at, reason}}. */
  public Deleted deleted() {
    return new Deleted(deletedBy, deletedAt, reason);
  }

  /** Who deleted a job's or model's dataset, when and why. */
  public record Deleted(String by, Instant at, String reason) {}
}
