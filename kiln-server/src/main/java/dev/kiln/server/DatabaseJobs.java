package dev.kiln.server;

import dev.kiln.training.store.JdbcJobStore;

/**
 * With a database: jobs are one queue every replica claims from, their files in the artifact store. While a job is
 * worked on here, its plaintext files (checkpoints being written, fetched models) are in this process's RAM scratch
 * ({@code jobs} of {@link dev.kiln.govern.crypto.PlaintextScratch}), which goes with the process, and a killed
 * process's with the next start. Jobs and sweeps a file-layout Kiln left in the data folder are imported first.
 */
record DatabaseJobs(JdbcJobStore store) implements AutoCloseable {
  static DatabaseJobs open(TrainingConfig t, Governance g) {
    JdbcJobStore store = new JdbcJobStore(g.stores.database(), g.artifacts, g.scratch.folder("jobs"));
    store.importLegacy(t.dataDir());
    return new DatabaseJobs(store);
  }

  @Override
  public void close() {
    store.close();
  }
}
