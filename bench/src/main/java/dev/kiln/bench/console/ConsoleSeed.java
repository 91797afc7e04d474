package dev.kiln.bench.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobFilter;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rows of a large installation, written by batched SQL straight into a server's SQLite database while the server is
 * stopped: registry models (versions archived or on archived models, so the server loads none of them at start), jobs
 * (finished, so none runs; each with 20 epochs of history, as a real job's body), audit events and daily usage. The
 * jobs' bodies are the real {@link Job} records as the job store writes them; the columns listings filter on are filled
 * as the store fills them. Seeded (a fixed random seed), so runs compare.
 */
final class ConsoleSeed {
  static final List<String> ACTIONS =
      List.of("model.push", "model.alias", "job.submit", "dataset.read", "key.create", "model.archive");
  private static final JobState[] ENDED = {JobState.SUCCEEDED, JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED};
  private static final ModelType[] TYPES = {
    ModelType.SEQUENTIAL, ModelType.LOGISTIC_REGRESSION, ModelType.LINEAR_REGRESSION
  };

  private final SplittableRandom random = new SplittableRandom(14);
  private final Instant now = Instant.now();

  /** Writes everything into {@code data}'s {@code governance.db}; {@code keys} own the jobs and the usage. */
  void seed(Path db, int models, int jobs, int audit, List<String> keys, List<String> datasets) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.setAutoCommit(false);
      models(c, models);
      jobs(c, jobs, keys, datasets);
      audit(c, audit, keys);
      usage(c, keys);
      c.commit();
    }
  }

  private void models(Connection c, int n) throws SQLException {
    try (PreparedStatement m =
            c.prepareStatement(
                "INSERT INTO models (name, card, created, created_by, archived, last_version) VALUES (?, ?, ?, ?, ?, 3)");
        PreparedStatement v =
            c.prepareStatement(
                "INSERT INTO versions (model, version, state, format, size_bytes, source, metadata, created_by,"
                    + " created) VALUES (?, ?, ?, 'onnx', 1024, 'uploaded', '{}', 'seed', ?)");
        PreparedStatement a = c.prepareStatement("INSERT INTO aliases (model, alias, version) VALUES (?, 'prod', 1)")) {
      for (int i = 0; i < n; i++) {
        String name = String.format("model-%04d", i);
        boolean archived = i % 2 == 0;
        long created = now.minus(Duration.ofDays(200)).plusSeconds(i * 60L).toEpochMilli();
        m.setString(1, name);
        m.setString(2, "# " + name + "\n\nA seeded model for the console benchmark.");
        m.setLong(3, created);
        m.setString(4, "seed");
        m.setBoolean(5, archived);
        m.addBatch();
        for (int version = 1; version <= 3; version++) {
          v.setString(1, name);
          v.setInt(2, version);
          // Only an archived model's newest version is published: the server serves none of them.
          v.setString(3, archived && version == 3 ? "PUBLISHED" : "ARCHIVED");
          v.setLong(4, created + version * 3_600_000L);
          v.addBatch();
        }
        a.setString(1, name);
        a.addBatch();
      }
      m.executeBatch();
      v.executeBatch();
      a.executeBatch();
    }
  }

  private void jobs(Connection c, int n, List<String> keys, List<String> datasets) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO jobs (id, state, created_by, cancel_requested, dataset, model_type, sweep_id, body)"
                + " VALUES (?, ?, ?, FALSE, ?, ?, ?, ?)")) {
      for (int id = 1; id <= n; id++) {
        Job job = job(id, keys.get(id % keys.size()), datasets.get(id % datasets.size()));
        ps.setLong(1, id);
        ps.setString(2, job.state().name());
        ps.setString(3, job.createdBy());
        ps.setString(4, job.request().dataset());
        ps.setString(5, JobFilter.modelType(job.request()));
        ps.setObject(6, job.sweep() == null ? null : job.sweep().id());
        try {
          ps.setString(7, JobJson.MAPPER.writeValueAsString(job));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        ps.addBatch();
        if (id % 1000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  private Job job(long id, String owner, String dataset) {
    JobState state = ENDED[(int) (id % ENDED.length)];
    JobRequest request =
        new JobRequest(dataset, 1, new ModelSpec(TYPES[(int) (id % 3)], null, null, null, null), null, null);
    List<EpochMetrics> history = new ArrayList<>();
    for (int e = 1; e <= 20; e++) {
      history.add(new EpochMetrics(e, 20, 1.0 / e, 1 - 0.5 / e, 1.1 / e, 1 - 0.6 / e, 0.4 + random.nextDouble()));
    }
    Instant created = now.minus(Duration.ofMinutes(10L * (20_000 - id)));
    JsonNode evaluation = JobJson.MAPPER.valueToTree(Map.of("accuracy", 0.9 + random.nextDouble() / 20));
    SweepTrial trial = id % 10 == 0 ? new SweepTrial(id / 100 + 1, (int) (id % 100), Map.of()) : null;
    return new Job(
        id,
        state,
        request,
        created,
        created.plusSeconds(5),
        created.plusSeconds(65),
        null,
        null,
        false,
        null,
        history,
        List.of(), // no step losses: listings leave them out, and 10,000 jobs of 500 points would be 200 MB
        state == JobState.SUCCEEDED ? evaluation : null,
        null,
        state == JobState.FAILED ? "the loss became NaN at epoch 3" : null,
        List.of(),
        owner,
        trial);
  }

  private void audit(Connection c, int n, List<String> keys) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO audit_log (at, actor, action, target, source, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      long start = now.minus(Duration.ofDays(90)).toEpochMilli();
      long step = Duration.ofDays(90).toMillis() / n;
      for (int i = 0; i < n; i++) {
        String action = ACTIONS.get(random.nextInt(ACTIONS.size()));
        ps.setLong(1, start + i * step);
        ps.setString(2, keys.get(random.nextInt(keys.size())));
        ps.setString(3, action);
        ps.setString(4, String.format("model:model-%04d/%d", random.nextInt(1000), 1 + random.nextInt(3)));
        ps.setString(5, "10.0.0." + random.nextInt(250));
        ps.setString(6, random.nextInt(20) == 0 ? "denied" : "ok");
        ps.setString(7, action + " by the benchmark's seed");
        ps.addBatch();
        if (i % 5000 == 4999) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /** Every key used 10 models every day for the last 30 days. */
  private void usage(Connection c, List<String> keys) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO usage_daily (key_id, model, day, requests, errors, row_count, tokens, latency_micros)"
                + " VALUES (?, ?, ?, ?, 0, ?, 0, ?)")) {
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      for (String key : keys) {
        for (int m = 0; m < 10; m++) {
          for (int d = 0; d < 30; d++) {
            int requests = 1 + random.nextInt(5000);
            ps.setString(1, key);
            ps.setString(2, String.format("model-%04d", m * 2 + 1));
            ps.setString(3, today.minusDays(d).toString());
            ps.setInt(4, requests);
            ps.setInt(5, requests);
            ps.setLong(6, requests * 800L);
            ps.addBatch();
          }
        }
      }
      ps.executeBatch();
    }
  }
}
