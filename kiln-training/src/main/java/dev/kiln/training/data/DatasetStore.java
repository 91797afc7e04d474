package dev.kiln.training.data;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Versioned raw datasets. Each add reads the data once (so a bad dataset is refused at upload) and stores it as the
 * next version, 1, 2, ... of its name. Names match {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}.
 */
public interface DatasetStore {
  /**
   * Stores a copy of a file or folder as the next version of {@code name}.
   *
   * @param createdBy the key id recorded as the version's owner
   */
  DatasetManifest add(String name, Path source, DatasetOptions options, String createdBy);

  /** Stores a single-file dataset from a stream; {@code options} must name its format unless it is CSV. */
  DatasetManifest add(String name, InputStream source, DatasetOptions options, String createdBy);

  /** {@link #add(String, Path, DatasetOptions, String)} with auth off, where every caller is {@code anonymous}. */
  default DatasetManifest add(String name, Path source, DatasetOptions options) {
    return add(name, source, options, "anonymous");
  }

  /** {@link #add(String, InputStream, DatasetOptions, String)} with auth off. */
  default DatasetManifest add(String name, InputStream source, DatasetOptions options) {
    return add(name, source, options, "anonymous");
  }

  /** Stores a folder dataset (image folder, IDX pair, text folder) uploaded as a zip archive. */
  DatasetManifest addArchive(String name, InputStream zip, DatasetOptions options, String createdBy);

  /** Every version of every dataset, by name then version. */
  List<DatasetManifest> list();

  /**
   * A version with its checksum verified.
   *
   * @throws DatasetException when the stored data no longer matches its checksum
   */
  Optional<StoredDataset> get(String name, int version);

  Optional<StoredDataset> latest(String name);

  /** Removes one version; false when there was none. */
  boolean delete(String name, int version);

  /**
   * Deletes a version and records its tombstone, in one step: of several callers deleting the same version at once (an
   * owner, retention sweepers on several replicas) exactly one gets the tombstone back, the others empty. The default,
   * for a store that keeps no tombstones (the {@code --no-database} file store), deletes the version and returns a
   * tombstone it does not keep.
   */
  default Optional<DatasetTombstone> delete(String name, int version, String by, String reason) {
    Optional<DatasetManifest> m =
        list().stream().filter(d -> d.name().equals(name) && d.version() == version).findFirst();
    if (m.isEmpty() || !delete(name, version)) {
      return Optional.empty();
    }
    return Optional.of(new DatasetTombstone(name, version, m.get().sha256(), by, Instant.now(), reason));
  }

  /** The tombstone of a deleted version; empty if it was never deleted, or where tombstones are not kept. */
  default Optional<DatasetTombstone> tombstone(String name, int version) {
    return Optional.empty();
  }

  /** How this store keeps versions' bytes. */
  default DatasetStorage storage() {
    return DatasetStorage.DATA_FOLDER;
  }

  /** How long versions of {@code name} are kept; empty: for ever (the default, and all a store without retention). */
  default Optional<Duration> retention(String name) {
    return Optional.empty();
  }

  /** Whether this store keeps retention periods ({@link #retain} works). */
  default boolean keepsRetention() {
    return false;
  }

  /**
   * Sets (or with empty clears) how long versions of {@code name} are kept.
   *
   * @throws KilnException {@code UNSUPPORTED} where the store keeps no retention (the {@code --no-database} file store)
   */
  default void retain(String name, Optional<Duration> retention) {
    throw new KilnException(
        ErrorKind.UNSUPPORTED, "retention periods need the governance database (not kept with --no-database)");
  }

  /** The versions whose name's retention has run out at {@code now}, oldest first; none where retention is not kept. */
  default List<DatasetManifest> expired(Instant now) {
    return List.of();
  }
}
