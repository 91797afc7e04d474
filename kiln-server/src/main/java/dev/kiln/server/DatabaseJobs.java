package dev.kiln.server;

import dev.kiln.training.store.JdbcJobStore;
import dev.kiln.training.store.JobWorkspace;
import java.nio.file.Path;

/**
 * With a database: jobs are one queue every replica claims from, their files in the artifact store, worked on in this
 * process's own folder ({@link JobWorkspace}); jobs and sweeps a file-layout Kiln left in the data folder are imported
 * first. Closing empties and removes the folder.
 */
record DatabaseJobs(JdbcJobStore store, JobWorkspace workspace) implements AutoCloseable {
  static DatabaseJobs open(TrainingConfig t, Governance g) {
    JobWorkspace workspace = JobWorkspace.open(workspaces(t));
    try {
      JdbcJobStore store = new JdbcJobStore(g.stores.database(), g.artifacts, workspace.path());
      store.importLegacy(t.dataDir());
      return new DatabaseJobs(store, workspace);
    } catch (RuntimeException e) {
      workspace.close();
      throw e;
    }
  }

  /** Where each process makes its own working folder for job files (checkpoints being written, fetched models). */
  static Path workspaces(TrainingConfig t) {
    return t.dataDir().resolve("cache").resolve("jobs");
  }

  /** The store empties the folder, then the workspace removes it and lets its lock go. */
  @Override
  public void close() {
    try (workspace;
        store) {}
  }
}
