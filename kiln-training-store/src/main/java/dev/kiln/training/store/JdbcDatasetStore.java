package dev.kiln.training.store;

import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.ArtifactStore.PutResult;
import dev.kiln.govern.store.Database;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetStorage;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.DatasetTombstone;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.ReadLimits;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.ZipArchive;
import dev.kiln.training.store.DatasetTable.Row;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Datasets shared by replicas: each version is a row in the governance database (its manifest) and one artifact in the
 * artifact store (its bytes, encrypted and checksummed as models are: a file as it is, a folder as a zip). Every
 * replica, whatever its own {@code --data} folder, sees the same versions; it reads them through a local cache ({@link
 * DatasetCache}) made on demand.
 *
 * <p>An upload is read and validated once before anything is published, exactly as {@link FileDatasetStore} does it (it
 * does the work, in an owner-only scratch folder under the cache's {@code .staging}); then the data is packed and put,
 * and the row inserted under the next version number. A failure at any step leaves no row and deletes the artifact.
 * Numbers are never reused ({@link DatasetTable}).
 */
public final class JdbcDatasetStore implements DatasetStore {
  private final DatasetTable table;
  private final ArtifactStore artifacts;
  private final DatasetCache cache;
  private final DatasetRetention retention;

  /** This replica's file-layout datasets folder once {@link #importLegacy} has read it; empty before. */
  private volatile Optional<Path> legacy = Optional.empty();

  private final ReadLimits limits;
  private final ZipArchive.Limits archiveLimits;

  /**
   * @param cache this process's folder for plaintext copies: the cache and the uploads being staged (the {@code
   *     datasets} folder of its {@code PlaintextScratch}, so they stay in RAM and never outlive it)
   * @param limits what every read of a dataset accepts, unless its options give their own
   * @param archiveLimits what an uploaded archive may unpack to (and a stored folder, when it is unpacked again)
   */
  public JdbcDatasetStore(
      Database db, ArtifactStore artifacts, Path cache, ReadLimits limits, ZipArchive.Limits archiveLimits) {
    this.table = new DatasetTable(Objects.requireNonNull(db, "db"));
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    this.retention = new DatasetRetention(db, table);
    this.limits = Objects.requireNonNull(limits, "limits");
    this.archiveLimits = Objects.requireNonNull(archiveLimits, "archiveLimits");
    this.cache = new DatasetCache(Objects.requireNonNull(cache, "cache"), artifacts, limits, archiveLimits);
  }

  /** A store with the default {@link ReadLimits} and archive limits. */
  public JdbcDatasetStore(Database db, ArtifactStore artifacts, Path cache) {
    this(db, artifacts, cache, ReadLimits.defaults(), ZipArchive.Limits.defaults());
  }

  @Override
  public DatasetManifest add(String name, Path source, DatasetOptions options, String createdBy) {
    return publish(name, files -> files.add(name, source, options, createdBy));
  }

  @Override
  public DatasetManifest add(String name, InputStream source, DatasetOptions options, String createdBy) {
    return publish(name, files -> files.add(name, source, options, createdBy));
  }

  @Override
  public DatasetManifest addArchive(String name, InputStream zip, DatasetOptions options, String createdBy) {
    return publish(name, files -> files.addArchive(name, zip, options, createdBy));
  }

  @Override
  public List<DatasetManifest> list() {
    return table.all();
  }

  /**
   * @throws DatasetException when the stored bytes are missing or no longer match their checksum
   */
  @Override
  public Optional<StoredDataset> get(String name, int version) {
    FileDatasetStore.validate(name);
    return table.find(name, version).map(cache::open);
  }

  @Override
  public Optional<StoredDataset> latest(String name) {
    FileDatasetStore.validate(name);
    return table.newest(name).map(cache::open);
  }

  /** Removes the row (the name's counter stays, so the number is never reused), then the artifact and cached copy. */
  @Override
  public boolean delete(String name, int version) {
    FileDatasetStore.validate(name);
    Optional<Row> removed = table.delete(name, version);
    removed.ifPresent(row -> {
      artifacts.delete(row.artifact());
      cache.forget(row);
    });
    return removed.isPresent();
  }

  /**
   * Removes the row and records the tombstone in one transaction (the claim: one caller of several wins), then deletes
   * the artifact and this replica's cached copy. Other replicas' cached copies (owner-only, under their own data
   * folders) are not evicted: they are named by version and artifact checksum, so no read ever reaches them once the
   * row is gone, and they go when that replica's data folder does.
   */
  @Override
  public Optional<DatasetTombstone> delete(String name, int version, String by, String reason) {
    FileDatasetStore.validate(name);
    Instant at = Instant.now();
    Optional<Row> removed = retention.delete(name, version, by, reason, at);
    removed.ifPresent(row -> {
      artifacts.delete(row.artifact());
      cache.forget(row);
      // A copy in this replica's file layout (the version was imported from it) goes too.
      legacy.ifPresent(l -> DatasetCache.deleteQuietly(l.resolve(name).resolve(Integer.toString(version))));
    });
    return removed.flatMap(row -> retention.tombstone(name, version));
  }

  @Override
  public Optional<DatasetTombstone> tombstone(String name, int version) {
    return retention.tombstone(name, version);
  }

  @Override
  public DatasetStorage storage() {
    return new DatasetStorage("artifact_store", 1, artifacts.encrypts());
  }

  @Override
  public Optional<Duration> retention(String name) {
    return retention.retention(name);
  }

  @Override
  public boolean keepsRetention() {
    return true;
  }

  @Override
  public void retain(String name, Optional<Duration> period) {
    FileDatasetStore.validate(name);
    retention.retain(name, period);
  }

  @Override
  public List<DatasetManifest> expired(Instant now) {
    return retention.expired(now);
  }

  /**
   * Datasets of the file layout ({@code <data>/datasets/<name>/<version>/}) that the database does not have, imported
   * under the same names, numbers and owners; the folder is left as it is. Safe to run at every start and on several
   * replicas at once.
   *
   * @return how many versions were imported
   */
  public int importLegacy(Path dataDir) {
    legacy = Optional.of(dataDir.resolve("datasets"));
    return new LegacyDatasets(this).importFrom(dataDir);
  }

  /** Stages and validates through a file store in scratch, then publishes what it stored as version 1 there. */
  private DatasetManifest publish(String name, Function<FileDatasetStore, DatasetManifest> upload) {
    FileDatasetStore.validate(name); // before any folder is made for it
    Path scratch = null;
    try {
      scratch = cache.scratch();
      DatasetManifest draft = upload.apply(new FileDatasetStore(scratch, limits, archiveLimits));
      Path staged = staged(scratch, draft);
      PutResult put = put(staged, scratch);
      DatasetManifest m;
      try {
        m = table.insertNext(draft, put);
      } catch (RuntimeException e) {
        artifacts.delete(put.key());
        throw e;
      }
      cache.adopt(new Row(m, put.key(), put.sha256()), staged, scratch);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (scratch != null) {
        DatasetCache.deleteQuietly(scratch);
      }
    }
  }

  /** Where a file store rooted at {@code scratch} keeps a version's data. */
  static Path staged(Path scratch, DatasetManifest m) {
    return scratch.resolve("datasets").resolve(m.name()).resolve(Integer.toString(m.version())).resolve(m.data());
  }

  /** Puts one version's data as one artifact: a file as it is, a folder zipped (in {@code scratch}) first. */
  PutResult put(Path data, Path scratch) throws IOException {
    Path source = data;
    if (Files.isDirectory(data)) {
      source = scratch.resolve("packed.zip");
      DatasetPacking.zip(data, source);
    }
    try (InputStream in = Files.newInputStream(source)) {
      return artifacts.put(in, Long.MAX_VALUE);
    } finally {
      if (!source.equals(data)) {
        Files.deleteIfExists(source);
      }
    }
  }

  DatasetTable table() {
    return table;
  }

  DatasetCache cache() {
    return cache;
  }

  ArtifactStore artifacts() {
    return artifacts;
  }

  ReadLimits limits() {
    return limits;
  }

  ZipArchive.Limits archiveLimits() {
    return archiveLimits;
  }
}
