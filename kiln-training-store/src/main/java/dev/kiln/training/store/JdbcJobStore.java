package dev.kiln.training.store;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Conditions;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobFilter;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.JobStore;
import dev.kiln.training.job.SweepTrial;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Jobs as rows of the governance database ({@code jobs}, migration V4), the one queue every replica claims from; their
 * files go through the artifact store ({@link JobFiles}). A claim takes the oldest claimable row in a transaction that
 * locks it: {@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so replicas claiming at once take different jobs without
 * waiting on each other; on SQLite the transaction itself is exclusive (begun {@code IMMEDIATE}, one writer at a time).
 * Every update is a read-modify-write under the same lock, so a cancel request is never lost to a progress update.
 */
public final class JdbcJobStore implements JobStore, AutoCloseable {
  private static final String COLUMNS =
      "state = ?, owner = ?, heartbeat = ?, created_by = ?, cancel_requested = ?, dataset = ?, model_type = ?,"
          + " sweep_id = ?";

  private final Database db;
  private final JobFiles files;
  private final String forUpdate;
  private final String skipLocked;

  /**
   * @param workspace this process's own folder for the files of the jobs it runs or serves (not shared with other
   *     replicas; deleted at {@link #close}, since everything in it is published or can be fetched again). They are
   *     plaintext (checkpoints, splits, models), so the server gives the {@code jobs} folder of its {@code
   *     PlaintextScratch}: RAM by default, never left behind by a crash
   */
  public JdbcJobStore(Database db, ArtifactStore artifacts, Path workspace) {
    this.db = db;
    this.files = new JobFiles(db, artifacts, workspace);
    boolean postgres = db.dialect() == Dialect.POSTGRESQL;
    this.forUpdate = postgres ? " FOR UPDATE" : "";
    this.skipLocked = postgres ? " FOR UPDATE SKIP LOCKED" : "";
  }

  /**
   * Imports the jobs and sweeps a file-layout Kiln left under {@code dataDir} ({@link LegacyJobs}); safe at every start
   * of every replica. The number newly imported.
   */
  public int importLegacy(Path dataDir) {
    return new LegacyJobs(db, files).importFrom(dataDir);
  }

  @Override
  public Job create(JobRequest request, String createdBy) {
    return insert(request, createdBy, null);
  }

  @Override
  public Job create(JobRequest request, String createdBy, SweepTrial trial) {
    return insert(request, createdBy, trial);
  }

  private Job insert(JobRequest request, String createdBy, SweepTrial trial) {
    return db.transaction(c -> {
      // The id is the database's; the body, which holds it, is written once the id is known.
      long id;
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO jobs (state, body) VALUES ('" + JobState.QUEUED + "', '{}') RETURNING id")) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
      }
      Job job = Job.queued(id, request, createdBy, trial, Instant.now());
      write(c, job);
      return job;
    });
  }

  @Override
  public Optional<Job> get(long id) {
    return db.read(c -> select(c, id, ""));
  }

  @Override
  public List<Job> list() {
    return db.read(c -> {
      List<Job> jobs = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT body FROM jobs ORDER BY id DESC");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(Rows.read(rs.getString(1), Job.class));
        }
      }
      return jobs;
    });
  }

  /** Filters and pages in SQL, on the columns migration V8 added for it (indexed), never on the JSON body. */
  @Override
  public Page<Job> list(JobFilter filter, PageRequest page) {
    Conditions where = conditions(filter);
    return db.read(c -> {
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jobs" + where.where())) {
        where.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<Job> jobs = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement("SELECT body FROM jobs" + where.where() + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
        int next = where.bind(ps);
        ps.setInt(next, page.limit());
        ps.setInt(next + 1, page.offset());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            jobs.add(Rows.read(rs.getString(1), Job.class));
          }
        }
      }
      return new Page<>(jobs, Math.max(total, jobs.size()));
    });
  }

  private static Conditions conditions(JobFilter f) {
    // LIKE with an escape (!): a searched text holding % or _ matches itself; lower() on both sides, as LIKE ignores
    // case
    // on SQLite and not on PostgreSQL.
    String like = f.text() == null ? null : "%" + f.text().replaceAll("([!%_])", "!$1") + "%";
    return new Conditions()
        .add(f.state(), "state = ?", (ps, i) -> ps.setString(i, f.state().name()))
        .add(f.dataset(), "dataset = ?", (ps, i) -> ps.setString(i, f.dataset()))
        .add(
            like,
            "lower(coalesce(dataset, '') || ' ' || coalesce(model_type, '')) LIKE ? ESCAPE '!'",
            (ps, i) -> ps.setString(i, like))
        .add(f.sweep(), "sweep_id = ?", (ps, i) -> ps.setLong(i, f.sweep()))
        .add(f.createdBy(), "created_by = ?", (ps, i) -> ps.setString(i, f.createdBy()));
  }

  @Override
  public Optional<Job> update(long id, UnaryOperator<Job> change) {
    return db.transaction(c -> {
      Optional<Job> current = select(c, id, forUpdate);
      if (current.isEmpty()) {
        return current;
      }
      Job next = change.apply(current.get());
      if (next != current.get()) {
        write(c, next);
      }
      return Optional.of(next);
    });
  }

  @Override
  public Optional<Job> claim(String owner, Instant now, Duration lease) {
    return db.transaction(c -> {
      Optional<Job> claimable;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT body FROM jobs WHERE state = ? OR (state = ? AND (heartbeat IS NULL OR heartbeat < ?))"
                  + " ORDER BY id LIMIT 1"
                  + skipLocked)) {
        ps.setString(1, JobState.QUEUED.name());
        ps.setString(2, JobState.RUNNING.name());
        ps.setLong(3, now.minus(lease).toEpochMilli());
        claimable = one(ps);
      }
      if (claimable.isEmpty()) {
        return claimable;
      }
      Job claimed = claimable.get().claimedBy(owner, now);
      write(c, claimed);
      return Optional.of(claimed);
    });
  }

  @Override
  public Path directory(long id) {
    return files.directory(id);
  }

  @Override
  public void publish(long id, String name) {
    files.publish(id, name);
  }

  @Override
  public void restore(long id) {
    files.restore(id);
  }

  @Override
  public Optional<Path> file(long id, String name) {
    return files.fetch(id, name);
  }

  /** Unpublishes and deletes every published file of the job, then this process's copies of them. */
  @Override
  public void deleteFiles(long id) {
    files.deleteAll(id);
  }

  /** Deletes this process's working folder; the jobs and their published files stay in the shared stores. */
  @Override
  public void close() {
    files.deleteWorkspace();
  }

  private static Optional<Job> select(Connection c, long id, String lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT body FROM jobs WHERE id = ?" + lock)) {
      ps.setLong(1, id);
      return one(ps);
    }
  }

  private static Optional<Job> one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(Rows.read(rs.getString(1), Job.class)) : Optional.empty();
    }
  }

  /** Binds the three columns listings filter on ({@code dataset, model_type, sweep_id}) from parameter {@code i}. */
  static void listColumns(PreparedStatement ps, int i, Job job) throws SQLException {
    JobRequest r = job.request();
    ps.setString(i, r == null ? null : r.dataset());
    ps.setString(i + 1, r == null || r.model() == null ? null : JobFilter.modelType(r));
    ps.setObject(i + 2, job.sweep() == null ? null : job.sweep().id(), Types.BIGINT);
  }

  /** Replaces the row of {@code job} with it: the columns claims and listings read, and the body. */
  private static void write(Connection c, Job job) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET " + COLUMNS + ", body = ? WHERE id = ?")) {
      ps.setString(1, job.state().name());
      ps.setString(2, job.owner());
      if (job.heartbeat() == null) {
        ps.setNull(3, Types.BIGINT);
      } else {
        ps.setLong(3, job.heartbeat().toEpochMilli());
      }
      ps.setString(4, job.createdBy());
      ps.setBoolean(5, job.cancelRequested());
      listColumns(ps, 6, job);
      ps.setString(9, Rows.json(job));
      ps.setLong(10, job.id());
      ps.executeUpdate();
    }
  }
}
