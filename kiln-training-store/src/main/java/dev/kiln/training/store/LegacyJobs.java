package dev.kiln.training.store;

import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.Job;
import dev.kiln.training.sweep.FileSweepStore;
import dev.kiln.training.sweep.Sweep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Upgrading from the file layout loses nothing: the jobs under {@code <data>/jobs/<id>/} (job.json and its files:
 * splits, checkpoints, model.onnx) and the sweeps in {@code <data>/sweeps/<id>.json} become rows under the same ids,
 * the job files published to the artifact store as a running job's are. The id sequences go on after the imported ids.
 * The folders are never written. A row already there with the same id and creation time is the same job or sweep,
 * imported before (maybe by another replica at the same moment: the insert is {@code ON CONFLICT DO NOTHING}), and only
 * its missing files are published; one with another creation time keeps the id, and the old one is logged and skipped.
 * So this runs at every start, on any number of replicas at once. A job left RUNNING by the old Kiln has an old
 * heartbeat: a runner claims it and resumes it from its checkpoint.
 */
final class LegacyJobs {
  private static final Logger LOG = Logger.getLogger(LegacyJobs.class.getName());

  private final Database db;
  private final JobFiles files;

  LegacyJobs(Database db, JobFiles files) {
    this.db = db;
    this.files = files;
  }

  /** Imports what {@code dataDir} holds; the number of jobs and sweeps newly added. */
  int importFrom(Path dataDir) {
    int imported = 0;
    Path jobs = dataDir.resolve("jobs");
    if (Files.isDirectory(jobs)) {
      for (Job job : readable(() -> new FileJobStore(jobs).list(), jobs)) {
        try {
          imported += importJob(job, jobs.resolve(Long.toString(job.id()))) ? 1 : 0;
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "job " + job.id() + " of " + jobs + " not imported", e);
        }
      }
      continueAfter("jobs");
    }
    Path sweeps = dataDir.resolve("sweeps");
    if (Files.isDirectory(sweeps)) {
      for (Sweep sweep : readable(() -> new FileSweepStore(sweeps).list(), sweeps)) {
        imported += importSweep(sweep, sweeps.resolve(sweep.id() + ".json")) ? 1 : 0;
      }
      continueAfter("sweeps");
    }
    if (imported > 0) {
      LOG.info(
          "imported "
              + imported
              + " job(s) and sweep(s) from "
              + dataDir
              + " into the database and the artifact store; jobs/ and sweeps/ there are left in place and no longer"
              + " read");
    }
    return imported;
  }

  private boolean importJob(Job job, Path folder) {
    // A job the old Kiln left RUNNING is claimable once its lease runs out from now: after its files are published.
    Instant heartbeat = job.heartbeat() == null ? null : Instant.now();
    boolean added =
        insert(
            "jobs (id, state, owner, heartbeat, created_by, cancel_requested, dataset, model_type, sweep_id, body)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ps -> {
              ps.setLong(1, job.id());
              ps.setString(2, job.state().name());
              ps.setString(3, job.owner());
              ps.setObject(4, heartbeat == null ? null : heartbeat.toEpochMilli(), Types.BIGINT);
              ps.setString(5, job.createdBy());
              ps.setBoolean(6, job.cancelRequested());
              JdbcJobStore.listColumns(ps, 7, job);
              ps.setString(10, Rows.json(job));
            });
    if (sameRow("jobs", job.id(), job.created())) {
      publishMissing(job.id(), folder);
    } else {
      LOG.warning("job " + job.id() + " of " + folder + " not imported: the database holds another job " + job.id());
    }
    return added;
  }

  private boolean importSweep(Sweep sweep, Path from) {
    boolean added =
        insert(
            "sweeps (id, created_by, body) VALUES (?, ?, ?)",
            ps -> {
              ps.setLong(1, sweep.id());
              ps.setString(2, sweep.createdBy());
              ps.setString(3, Rows.json(sweep));
            });
    if (!sameRow("sweeps", sweep.id(), sweep.created())) {
      LOG.warning("sweep " + sweep.id() + " of " + from + " not imported: the database holds another sweep");
    }
    return added;
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Inserts the row under its own id unless one is there; true when this call added it. */
  private boolean insert(String into, Binder values) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + into + " ON CONFLICT (id) DO NOTHING")) {
        values.bind(ps);
        return ps.executeUpdate() == 1;
      }
    });
  }

  private boolean sameRow(String table, long id, Instant created) {
    Optional<String> body =
        db.read(c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT body FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
            }
          }
        });
    return body.map(b -> table.equals("jobs") ? Rows.read(b, Job.class).created() : Rows.read(b, Sweep.class).created())
        .filter(created::equals)
        .isPresent();
  }

  /**
   * Publishes each entry of the job's old folder (a file, or a folder of files as checkpoints/) that is not wholly
   * published yet, through this process's working folder as the engine's files go. A folder is copied whole, since
   * publishing one also unpublishes the files it lacks.
   */
  private void publishMissing(long id, Path folder) {
    Set<String> published = new HashSet<>(publishedNames(id));
    for (Path p : list(folder)) {
      String name = p.getFileName().toString();
      if (name.equals("job.json") || name.endsWith(".tmp") || name.endsWith(".lock")) {
        continue;
      }
      List<Path> inside = Files.isDirectory(p) ? list(p).stream().filter(Files::isRegularFile).toList() : List.of(p);
      if (inside.stream().allMatch(f -> published.contains(folder.relativize(f).toString()))) {
        continue;
      }
      for (Path f : inside) {
        copy(f, files.directory(id).resolve(folder.relativize(f).toString()));
      }
      files.publish(id, name);
    }
  }

  private List<String> publishedNames(long id) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT name FROM job_files WHERE job_id = ?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          List<String> names = new ArrayList<>();
          while (rs.next()) {
            names.add(rs.getString(1));
          }
          return names;
        }
      }
    });
  }

  /**
   * On PostgreSQL, moves the table's id sequence past every id there, without using up a value when it already is; the
   * table is locked against inserts meanwhile, so no id handed out concurrently is handed out again. SQLite's
   * AUTOINCREMENT goes on after the largest id by itself.
   */
  private void continueAfter(String table) {
    if (db.dialect() != Dialect.POSTGRESQL) {
      return;
    }
    db.transaction(c -> {
      try (Statement st = c.createStatement()) {
        st.execute("LOCK TABLE " + table + " IN EXCLUSIVE MODE");
        String seq;
        try (ResultSet rs = st.executeQuery("SELECT pg_get_serial_sequence('" + table + "', 'id')")) {
          rs.next();
          seq = rs.getString(1);
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT setval('"
                    + seq
                    + "', m) FROM (SELECT MAX(id) AS m FROM "
                    + table
                    + ") x, "
                    + seq
                    + " s WHERE m > CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END")) {
          return rs.next();
        }
      }
    });
  }

  /**
   * What an old folder lists; nothing, logged, when it cannot be read: starting matters more, the next start retries.
   */
  private static <T> List<T> readable(Supplier<List<T>> list, Path folder) {
    try {
      return list.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, folder + " not imported: " + e.getMessage(), e);
      return List.of();
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from.getFileName() + " of an old job", e);
    }
  }
}
