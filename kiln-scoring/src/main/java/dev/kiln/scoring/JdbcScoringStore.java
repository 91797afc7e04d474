package dev.kiln.scoring;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
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
 * Scoring jobs as rows of the governance database ({@code scoring_jobs}, {@code scoring_parts}: migration V9), locked
 * as training's {@code JdbcJobStore} locks jobs: claims take the oldest claimable row {@code FOR UPDATE SKIP LOCKED} on
 * PostgreSQL (SQLite's writer transaction is exclusive), and every change is a read-modify-write under the row's lock,
 * so a cancel is never lost to a progress update.
 */
public final class JdbcScoringStore {
  private final Database db;
  private final String forUpdate;
  private final String skipLocked;

  public JdbcScoringStore(Database db) {
    this.db = db;
    boolean postgres = db.dialect() == Dialect.POSTGRESQL;
    this.forUpdate = postgres ? " FOR UPDATE" : "";
    this.skipLocked = postgres ? " FOR UPDATE SKIP LOCKED" : "";
  }

  /** Queues a job for {@code createdBy} (a key id; {@code anonymous} with auth off). */
  public ScoringJob create(ScoringRequest request, String createdBy, long rowsTotal) {
    return db.transaction(c -> {
      long id;
      try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO scoring_jobs (state, body) VALUES ('QUEUED', '{}') RETURNING id");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      ScoringJob job = ScoringJob.queued(id, request, createdBy, rowsTotal, Instant.now());
      write(c, job);
      return job;
    });
  }

  public Optional<ScoringJob> get(long id) {
    return db.read(c -> select(c, id, ""));
  }

  /** A page of the jobs, newest first: every job ({@code createdBy} empty) or those one key made. */
  public Page<ScoringJob> list(Optional<String> createdBy, PageRequest page) {
    String where = createdBy.isPresent() ? " WHERE created_by = ?" : "";
    return db.read(c -> {
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scoring_jobs" + where)) {
        if (createdBy.isPresent()) {
          ps.setString(1, createdBy.get());
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<ScoringJob> jobs = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement("SELECT body FROM scoring_jobs" + where + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
        int i = 1;
        if (createdBy.isPresent()) {
          ps.setString(i++, createdBy.get());
        }
        ps.setInt(i, page.limit());
        ps.setInt(i + 1, page.offset());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            jobs.add(ScoringJson.read(rs.getString(1)));
          }
        }
      }
      return new Page<>(jobs, Math.max(total, jobs.size()));
    });
  }

  /** Applies {@code change} to the current job atomically; empty if there is no such job. */
  public Optional<ScoringJob> update(long id, UnaryOperator<ScoringJob> change) {
    return db.transaction(c -> {
      Optional<ScoringJob> current = select(c, id, forUpdate);
      if (current.isEmpty()) {
        return current;
      }
      ScoringJob next = change.apply(current.get());
      if (next != current.get()) {
        write(c, next);
      }
      return Optional.of(next);
    });
  }

  /** Claims the oldest job that is queued, or running under an owner whose heartbeat is older than {@code lease}. */
  public Optional<ScoringJob> claim(String owner, Instant now, Duration lease) {
    return db.transaction(c -> {
      Optional<ScoringJob> claimable;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT body FROM scoring_jobs WHERE state = 'QUEUED' OR (state = 'RUNNING' AND (heartbeat IS NULL"
                  + " OR heartbeat < ?)) ORDER BY id LIMIT 1"
                  + skipLocked)) {
        ps.setLong(1, now.minus(lease).toEpochMilli());
        claimable = one(ps);
      }
      if (claimable.isEmpty()) {
        return claimable;
      }
      ScoringJob claimed = claimable.get().claimedBy(owner, now);
      write(c, claimed);
      return Optional.of(claimed);
    });
  }

  /**
   * Records {@code part} as the job's next part and applies {@code change} (its row count added), in one transaction,
   * only while {@code owner} still holds the job and the part is the next one: a runner whose lease ran out and whose
   * job another replica took over commits nothing, so no row is written twice.
   *
   * @return the job as committed; empty if the commit was refused (the caller deletes the part's artifact and stops)
   */
  public Optional<ScoringJob> commit(long id, String owner, ScoringPart part, UnaryOperator<ScoringJob> change) {
    return db.transaction(c -> {
      Optional<ScoringJob> current = select(c, id, forUpdate);
      if (current.isEmpty()
          || current.get().state() != ScoringState.RUNNING
          || !owner.equals(current.get().owner())
          || current.get().parts() != part.index()) {
        return Optional.empty();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO scoring_parts (job_id, part, artifact, sha256, size, rows) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, id);
        ps.setInt(2, part.index());
        ps.setString(3, part.artifact());
        ps.setString(4, part.sha256());
        ps.setLong(5, part.size());
        ps.setLong(6, part.rows());
        ps.executeUpdate();
      }
      ScoringJob next = change.apply(current.get());
      write(c, next);
      return Optional.of(next);
    });
  }

  /** The committed parts of a job's output, in order. */
  public List<ScoringPart> parts(long id) {
    return db.read(c -> {
      List<ScoringPart> parts = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT part, artifact, sha256, size, rows FROM scoring_parts WHERE job_id = ? ORDER BY part")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            parts.add(new ScoringPart(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
          }
        }
      }
      return parts;
    });
  }

  private static Optional<ScoringJob> select(Connection c, long id, String lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT body FROM scoring_jobs WHERE id = ?" + lock)) {
      ps.setLong(1, id);
      return one(ps);
    }
  }

  private static Optional<ScoringJob> one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(ScoringJson.read(rs.getString(1))) : Optional.empty();
    }
  }

  private static void write(Connection c, ScoringJob job) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE scoring_jobs SET state = ?, owner = ?, heartbeat = ?, created_by = ?, cancel_requested = ?,"
                + " rows_done = ?, body = ? WHERE id = ?")) {
      ps.setString(1, job.state().name());
      ps.setString(2, job.owner());
      if (job.heartbeat() == null) {
        ps.setNull(3, Types.BIGINT);
      } else {
        ps.setLong(3, job.heartbeat().toEpochMilli());
      }
      ps.setString(4, job.createdBy());
      ps.setBoolean(5, job.cancelRequested());
      ps.setLong(6, job.rowsDone());
      ps.setString(7, ScoringJson.write(job));
      ps.setLong(8, job.id());
      ps.executeUpdate();
    }
  }
}
