package dev.kiln.training.store;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.crypto.ArtifactIntegrityException;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.training.data.Checksums;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.ZipArchive;
import dev.kiln.training.store.DatasetTable.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * This replica's copies of dataset versions, under {@code <root>/<name>/<version>-<artifact sha>/}, made on first use
 * from the artifact store (verified chunk by chunk, then unpacked) and checked against the manifest's checksum on every
 * use, as the file store checks its own. The artifact store is the truth: a copy that no longer matches is fetched
 * again, a missing one is made, so a replica that never saw the upload reads the same bytes.
 *
 * <p>The copies are plaintext: the root is the {@code datasets} folder of the process's plaintext scratch ({@code
 * PlaintextScratch}: RAM by default, deleted at stop and, after a crash, at the next start), so they are not written to
 * disk. An entry is assembled in {@code .staging/} (owner-only, like the whole cache) and renamed into place in one
 * step, so concurrent readers see all of an entry or none; when two build the same one, the first rename wins and the
 * other's copy is dropped.
 */
final class DatasetCache {
  private static final Logger LOG = Logger.getLogger(DatasetCache.class.getName());
  private static final Duration LEFTOVER_AGE = Duration.ofDays(1);

  private final Path root;
  private final Path staging;
  private final ArtifactStore artifacts;
  private final ReadLimits limits;
  private final ZipArchive.Limits archiveLimits;

  DatasetCache(Path root, ArtifactStore artifacts, ReadLimits limits, ZipArchive.Limits archiveLimits) {
    this.root = root;
    this.staging = root.resolve(".staging");
    this.artifacts = artifacts;
    this.limits = limits;
    this.archiveLimits = archiveLimits;
    try {
      DatasetPacking.ownerOnly(staging);
      removeLeftovers(Instant.now().minus(LEFTOVER_AGE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes what uploads and builds cut short by a crash left in {@code .staging}: only folders older than {@code
   * before}, since processes sharing this data folder may be writing there now.
   */
  private void removeLeftovers(Instant before) throws IOException {
    try (Stream<Path> left = Files.list(staging)) {
      for (Path p : left.toList()) {
        if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
          deleteQuietly(p);
        }
      }
    }
  }

  /** A fresh owner-only folder for an upload or a build; the caller deletes it. */
  Path scratch() throws IOException {
    return DatasetPacking.ownerOnly(staging.resolve(UUID.randomUUID().toString()));
  }

  /** The version's data, from this cache or made from the artifact store, verified. */
  StoredDataset open(Row row) {
    DatasetManifest m = row.manifest();
    Path entry = entry(row);
    Path data = entry.resolve(m.data());
    if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
      if (matches(m, data)) {
        return new StoredDataset(m, data, limits);
      }
      LOG.warning(what(m) + ": the cached copy no longer matches its checksum; fetching it again");
      discard(entry);
    }
    build(row, entry);
    return new StoredDataset(m, data, limits);
  }

  /**
   * Makes {@code staged} (verified at upload) the cached copy of a version just added, so its uploader need not fetch
   * it; {@code scratch} is the upload's folder, which the caller deletes.
   */
  void adopt(Row row, Path staged, Path scratch) {
    try {
      Path built = DatasetPacking.ownerOnly(scratch.resolve("entry"));
      Files.move(staged, built.resolve(row.manifest().data()), StandardCopyOption.ATOMIC_MOVE);
      publish(built, entry(row));
    } catch (IOException e) {
      LOG.fine("could not keep an uploaded dataset in the cache: " + e); // the first read fetches it instead
    }
  }

  /**
   * Drops this replica's copy of a deleted version (other replicas' copies are never read again: no row points there).
   */
  void forget(Row row) {
    discard(entry(row));
  }

  private void build(Row row, Path entry) {
    DatasetManifest m = row.manifest();
    Path tmp = null;
    try {
      tmp = scratch();
      Path built = DatasetPacking.ownerOnly(tmp.resolve("entry"));
      Path data = built.resolve(m.data());
      if (DatasetPacking.isFolder(m.format())) {
        Path zip = tmp.resolve("packed.zip");
        artifacts.readTo(row.artifact(), row.artifactSha256(), zip);
        // The zip holds exactly the manifest's bytes; anything more is not what was stored.
        ZipArchive.Limits unpack =
            new ZipArchive.Limits(archiveLimits.maxEntries(), Math.max(1, m.sizeBytes()), archiveLimits.maxRatio());
        DatasetPacking.unzip(zip, data, unpack);
      } else {
        artifacts.readTo(row.artifact(), row.artifactSha256(), data);
      }
      if (!matches(m, data)) {
        throw changed(m, null);
      }
      publish(built, entry);
    } catch (ArtifactIntegrityException e) {
      throw changed(m, e);
    } catch (KilnException e) {
      if (e.kind() == ErrorKind.NOT_FOUND) {
        throw new DatasetException(what(m) + ": stored data is missing from the artifact store", e);
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
  }

  private void publish(Path built, Path entry) throws IOException {
    DatasetPacking.ownerOnly(entry.getParent());
    try {
      Files.move(built, entry, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
      // Another reader renamed its copy into place first: the same verified bytes.
    }
  }

  private Path entry(Row row) {
    DatasetManifest m = row.manifest();
    // The artifact's checksum in the name: a database restored or replaced under the same data folder cannot make
    // this replica serve an old copy under a reused name and number.
    return root.resolve(m.name()).resolve(m.version() + "-" + row.artifactSha256().substring(0, 16));
  }

  private static boolean matches(DatasetManifest m, Path data) {
    try {
      return Checksums.of(data).sha256().equals(m.sha256());
    } catch (IOException e) {
      return false;
    }
  }

  static DatasetException changed(DatasetManifest m, Throwable cause) {
    String message = what(m) + ": stored data does not match its checksum (changed or corrupted)";
    return cause == null ? new DatasetException(message) : new DatasetException(message, cause);
  }

  private static String what(DatasetManifest m) {
    return "dataset " + m.name() + " version " + m.version();
  }

  /** Renamed away first, so readers never see half an entry. */
  private void discard(Path entry) {
    Path trash = staging.resolve("deleted-" + UUID.randomUUID());
    try {
      Files.move(entry, trash, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      return; // gone already
    }
    deleteQuietly(trash);
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // leftovers under .staging are never read; a later start removes them
    }
  }
}
