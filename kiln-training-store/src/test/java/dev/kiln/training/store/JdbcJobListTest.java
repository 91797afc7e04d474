package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.QueryPlan;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobFilter;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job listings filtered and paged in SQL agree with the same filter applied in memory (what the file store does), on
 * each database: run by {@link SqliteTrainingStoresTest} and its PostgreSQL twin.
 */
abstract class JdbcJobListTest {
  private static final List<String> DATASETS = List.of("digits", "Sales_2024", "iris");
  private static final List<ModelType> TYPES =
      List.of(ModelType.SEQUENTIAL, ModelType.LOGISTIC_REGRESSION, ModelType.LINEAR_REGRESSION);

  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;
  Database database;
  JdbcJobStore store;

  JdbcJobListTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() {
    db = TestDatabase.create(backend, tmp);
    database = db.open();
    store =
        new JdbcJobStore(
            database, ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.plain()), tmp.resolve("w"));
    // 30 jobs: three datasets, three model types, two owners, every fifth a trial of sweep 7, every third running.
    for (int i = 0; i < 30; i++) {
      JobRequest r =
          new JobRequest(
              DATASETS.get(i % 3), 1, new ModelSpec(TYPES.get(i / 3 % 3), null, null, null, null), null, null);
      Job job =
          i % 5 == 0
              ? store.create(r, i % 2 == 0 ? "key-a" : "key-b", new SweepTrial(7, i, Map.of()))
              : store.create(r, i % 2 == 0 ? "key-a" : "key-b");
      if (i % 3 == 0) {
        store.update(job.id(), j -> j.claimedBy("replica-1", Instant.now()));
      }
    }
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void everyFilterSelectsWhatItSelectsInMemory() {
    List<JobFilter> filters =
        List.of(
            JobFilter.ALL,
            new JobFilter(JobState.RUNNING, null, null, null, null),
            new JobFilter(null, "Sales_2024", null, null, null),
            new JobFilter(null, null, "SALES", null, null),
            new JobFilter(null, null, "logistic", null, null),
            new JobFilter(null, null, "_", null, null),
            new JobFilter(null, null, "%", null, null),
            new JobFilter(null, null, null, 7L, null),
            new JobFilter(null, null, null, null, "key-b"),
            new JobFilter(JobState.QUEUED, "digits", "seq", null, "key-a"),
            new JobFilter(null, "nothing", null, null, null));
    List<Job> all = store.list();
    for (JobFilter f : filters) {
      List<Long> expected = all.stream().filter(f::matches).map(Job::id).toList();
      Page<Job> page = store.list(f, PageRequest.ALL);
      assertThat(page.items()).as(f.toString()).extracting(Job::id).containsExactlyElementsOf(expected);
      assertThat(page.total()).as(f.toString()).isEqualTo(expected.size());
    }
    assertThat(store.list(new JobFilter(null, null, "%", null, null), PageRequest.ALL).items()).isEmpty();
    assertThat(store.list(new JobFilter(null, null, "sales", null, null), PageRequest.ALL).items()).hasSize(10);
    assertThat(store.list(new JobFilter(null, null, null, 7L, null), PageRequest.ALL).items()).hasSize(6);
  }

  @Test
  void pagesWalkTheListNewestFirstWithoutGapsOrRepeats() {
    JobFilter mine = new JobFilter(null, null, null, null, "key-a");
    List<Long> walked = new ArrayList<>();
    for (int offset = 0; ; offset += 4) {
      Page<Job> page = store.list(mine, new PageRequest(4, offset));
      assertThat(page.total()).isEqualTo(15);
      if (page.items().isEmpty()) {
        break;
      }
      assertThat(page.items()).allMatch(j -> j.createdBy().equals("key-a"));
      page.items().forEach(j -> walked.add(j.id()));
    }
    assertThat(walked).hasSize(15).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(store.list(mine, new PageRequest(4, 100)).items()).isEmpty();
  }

  /** The plan for a filtered page, on each database: through the filter's index (V4, V8), newest first, no sort. */
  @Test
  void findsAFilteredPageThroughItsIndexWithoutSorting() {
    String page = " ORDER BY id DESC LIMIT 50 OFFSET 0";
    Map<String, String> indexes =
        Map.of(
            "state = 'FAILED'", "jobs_by_state",
            "dataset = 'iris'", "jobs_by_dataset",
            "sweep_id = 7", "jobs_by_sweep",
            "created_by = 'key-a'", "jobs_by_creator");
    indexes.forEach((where, index) -> {
      String plan = plan("SELECT body FROM jobs WHERE " + where + page);
      assertThat(plan).as(where).contains(index);
      assertThat(QueryPlan.sorts(plan)).as(plan).isFalse();
    });
  }

  private String plan(String sql) {
    return QueryPlan.of(database, sql);
  }

  @Test
  void aJobsListedColumnsFollowItsChanges() {
    Job queued =
        store.list(new JobFilter(JobState.QUEUED, null, null, null, null), new PageRequest(1, 0)).items().get(0);
    store.update(queued.id(), j -> j.claimedBy("replica-2", Instant.now()));
    assertThat(store.list(new JobFilter(JobState.QUEUED, null, null, null, null), PageRequest.ALL).items())
        .extracting(Job::id)
        .doesNotContain(queued.id());
    assertThat(store.list(new JobFilter(JobState.RUNNING, null, null, null, null), PageRequest.ALL).items())
        .extracting(Job::id)
        .contains(queued.id());
  }
}
