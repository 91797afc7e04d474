package dev.kiln.training.data;

import java.nio.file.Path;

/** A dataset version whose checksum has been verified, and where its raw data lies. */
public record StoredDataset(DatasetManifest manifest, Path data) {
  public DatasetRef ref() {
    return manifest.ref();
  }
}
