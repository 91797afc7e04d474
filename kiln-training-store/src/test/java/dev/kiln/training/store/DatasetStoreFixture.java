package dev.kiln.training.store;

import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.FolderBlobs;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * One database (a fresh SQLite file or PostgreSQL schema) and one encrypted artifact store per test, shared by any
 * number of replicas, each with a data folder of its own; run on each database by {@link SqliteDatasetsTest} and {@link
 * PostgresqlDatasetsTest}.
 */
abstract class DatasetStoreFixture {
  private final Backend backend;
  @TempDir Path tmp;
  @TempDir Path src;
  TestDatabase db;
  ArtifactStore artifacts;

  DatasetStoreFixture(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    artifacts = ArtifactStore.open(blobs(), ArtifactCipher.sealed(MasterKeys.of(List.of(key))));
  }

  /** Where the artifact store keeps its objects: a folder here; a subclass may put them in a bucket. */
  BlobStore blobs() {
    return FolderBlobs.open(tmp.resolve("artifacts"));
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  /** A replica: its own connection pool on the shared database, its own data folder {@code tmp/<name>}. */
  JdbcDatasetStore replica(String name) {
    return replica(db.open(), name);
  }

  JdbcDatasetStore replica(Database database, String name) {
    return new JdbcDatasetStore(database, artifacts, tmp.resolve(name).resolve("cache/datasets"));
  }

  /** Where the store keeps an artifact's encrypted bytes (the layout of the local artifact store). */
  Path artifactFile(String key) {
    return tmp.resolve("artifacts").resolve("objects").resolve(key);
  }

  /** What is left in a replica's upload and cache scratch folder. */
  List<Path> staging(String replica) throws IOException {
    try (var s = Files.list(tmp.resolve(replica).resolve("cache/datasets/.staging"))) {
      return s.toList();
    }
  }
}
