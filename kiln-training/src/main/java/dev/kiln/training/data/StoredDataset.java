package dev.kiln.training.data;

import java.nio.file.Path;

/**
 * A dataset version whose checksum has been verified, and where its raw data lies.
 *
 * @param limits what a read of it accepts: the store's, which the manifest does not keep
 */
public record StoredDataset(DatasetManifest manifest, Path data, ReadLimits limits) {
  public StoredDataset(DatasetManifest manifest, Path data) {
    this(manifest, data, ReadLimits.defaults());
  }

  public DatasetRef ref() {
    return manifest.ref();
  }

  /** The options to read it with: the manifest's, under {@link #limits()}. */
  public DatasetOptions readOptions() {
    DatasetOptions o = manifest.options();
    return o.limits() == null ? o.withLimits(limits) : o;
  }
}
