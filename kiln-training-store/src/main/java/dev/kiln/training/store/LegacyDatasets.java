package dev.kiln.training.store;

import dev.kiln.govern.crypto.ArtifactStore.PutResult;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.StoredDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Upgrading from the file layout loses nothing: the versions under {@code <data>/datasets/} that the database does not
 * have are read through a {@link FileDatasetStore} (checksums verified) and stored as the database store stores an
 * upload, under the same name, number, owner and manifest. The name's counter is raised past every number the folder
 * ever handed out, deleted ones included. The folder is left in place and never written; a version already in the
 * database (or deleted from it: its tombstone) is skipped, so this runs at every start, on any number of replicas at
 * once, and imports each version once.
 */
final class LegacyDatasets {
  private static final Logger LOG = Logger.getLogger(LegacyDatasets.class.getName());

  private final JdbcDatasetStore store;

  LegacyDatasets(JdbcDatasetStore store) {
    this.store = store;
  }

  int importFrom(Path dataDir) {
    Path legacy = dataDir.resolve("datasets");
    if (!Files.isDirectory(legacy)) {
      return 0;
    }
    FileDatasetStore files = new FileDatasetStore(dataDir, store.limits(), store.archiveLimits());
    List<DatasetManifest> found;
    try {
      found = files.list();
    } catch (RuntimeException e) {
      // Starting matters more than an old folder: it stays where it is, and the next start tries again.
      LOG.log(Level.WARNING, "datasets under " + legacy + " not imported: " + e.getMessage(), e);
      return 0;
    }
    int imported = 0;
    for (DatasetManifest m : found) {
      try {
        // A deleted version's tombstone keeps an old folder from bringing it back.
        if (store.table().find(m.name(), m.version()).isEmpty()
            && store.tombstone(m.name(), m.version()).isEmpty()
            && importOne(files, m, claimed(legacy, m.name()))) {
          imported++;
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "dataset " + m.name() + " version " + m.version() + " not imported", e);
      }
    }
    if (imported > 0) {
      LOG.info(
          "imported "
              + imported
              + " dataset version(s) from "
              + legacy
              + " into the database and the artifact store; that folder is left in place and is no longer read");
    }
    return imported;
  }

  private boolean importOne(FileDatasetStore files, DatasetManifest m, int claimed) {
    Optional<StoredDataset> stored;
    try {
      stored = files.get(m.name(), m.version());
    } catch (DatasetException e) {
      LOG.warning("dataset not imported from the data folder: " + e.getMessage());
      return false;
    }
    if (stored.isEmpty()) {
      return false;
    }
    Path scratch = null;
    try {
      scratch = store.cache().scratch();
      PutResult put = store.put(stored.get().data(), scratch);
      boolean inserted;
      try {
        inserted = store.table().insertAs(stored.get().manifest(), put, claimed);
      } catch (RuntimeException e) {
        store.artifacts().delete(put.key());
        throw e;
      }
      if (!inserted) {
        store.artifacts().delete(put.key()); // another replica imported it meanwhile
      }
      return inserted;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (scratch != null) {
        DatasetCache.deleteQuietly(scratch);
      }
    }
  }

  /** The highest number the file store ever claimed for {@code name} ({@code <name>/.claims/<n>}), or 0. */
  private static int claimed(Path legacy, String name) {
    Path claims = legacy.resolve(name).resolve(".claims");
    if (!Files.isDirectory(claims)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(claims)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("[1-9][0-9]{0,8}"))
          .mapToInt(Integer::parseInt)
          .max()
          .orElse(0);
    } catch (IOException e) {
      return 0;
    }
  }
}
