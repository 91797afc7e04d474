package dev.kiln.training.data;

/**
 * How a store keeps a version's bytes, for the dataset report.
 *
 * @param store {@code artifact_store} (encrypted and checksummed objects shared by replicas) or {@code data_folder}
 *     (plain files in this node's data folder, the {@code --no-database} store)
 * @param artifactsPerVersion objects a version's bytes take in the artifact store: one (a folder is zipped); none in a
 *     data folder
 * @param encrypted whether those bytes are encrypted under the master key
 */
public record DatasetStorage(String store, int artifactsPerVersion, boolean encrypted) {
  /** The file store's: plain files, never encrypted. */
  public static final DatasetStorage DATA_FOLDER = new DatasetStorage("data_folder", 0, false);
}
