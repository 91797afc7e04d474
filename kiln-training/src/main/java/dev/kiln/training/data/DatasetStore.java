package dev.kiln.training.data;

import java.io.InputStream;
import java.nio.file.Path;
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
}
