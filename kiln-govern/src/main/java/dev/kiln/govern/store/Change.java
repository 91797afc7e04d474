package dev.kiln.govern.store;

import java.util.Objects;

/**
 * One row of the change feed: something about a key, a model or an alias changed, committed as number {@code seq}.
 *
 * @param subject the key's id for {@link Kind#KEY}, else the model's name
 * @param local whether this process (this {@link Database}) made the change, and so has already acted on it
 */
public record Change(long seq, Kind kind, String subject, boolean local) {
  /** What changed. */
  public enum Kind {
    /** A key was created, revoked, rotated or had its limits changed. */
    KEY,
    /** A model or one of its versions: pushed, archived, unarchived, deleted. */
    MODEL,
    /** An alias of the model was set, moved or removed. */
    ALIAS
  }

  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
  }
}
