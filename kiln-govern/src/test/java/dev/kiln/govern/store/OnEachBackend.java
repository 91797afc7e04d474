package dev.kiln.govern.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test run on each database (by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}) with a fresh one each. */
abstract class OnEachBackend {
  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;

  OnEachBackend(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }
}
