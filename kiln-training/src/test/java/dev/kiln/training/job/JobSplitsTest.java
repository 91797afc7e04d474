package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSplitsTest {
  @TempDir Path dir;

  private TrainingService service(JobStore jobs) {
    return new TrainingService(null, jobs, null, null, null); // splits() reads only the job store
  }

  @Test
  void recordedSplitsAreServedToTheOwnerAndAdminAsWritten() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    Job job = store.create(FileJobStoreTest.REQUEST, "key-a");
    Split rows = new Split(new int[] {4, 0, 3}, new int[] {2}, new int[] {1, 5});
    JobSplits.of(new DatasetRef("digits", 1, "ab"), rows).write(store.directory(job.id()));
    assertThat(Files.readString(store.directory(job.id()).resolve("splits.json")))
        .isEqualTo(
            "{\"dataset\":\"digits\",\"version\":1,\"sha256\":\"ab\",\"train\":[4,0,3],\"validation\":[2],"
                + "\"test\":[1,5]}");
    JobSplits read = service(store).splits(job.id(), Grants.all("key-a"));
    assertThat(read.train()).containsExactly(4, 0, 3);
    assertThat(read.validation()).containsExactly(2);
    assertThat(read.test()).containsExactly(1, 5);
    assertThat(service(store).splits(job.id(), Grants.all("admin")).test()).containsExactly(1, 5);
  }

  @Test
  void theEnginesTestPredictionsAreKeptBesideTheTestRowsOnceEvaluated() throws Exception {
    FileJobStore store = new FileJobStore(dir);
    Job job = store.create(FileJobStoreTest.REQUEST, "key-a");
    Grants owner = Grants.all("key-a");
    JobSplits splits =
        JobSplits.of(new DatasetRef("d", 1, "ab"), new Split(new int[] {0}, new int[0], new int[] {2, 1}));
    splits.write(store.directory(job.id()));
    assertThatThrownBy(() -> service(store).splitCsv(job.id(), "test", true, owner))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT))
        .hasMessage("job " + job.id() + " has no test predictions: it has not evaluated");
    splits.withPredictions(List.of("b", "a")).write(store.directory(job.id()));
    assertThat(Files.readString(store.directory(job.id()).resolve("splits.json")))
        .endsWith("\"test\":[2,1],\"predictions\":[\"b\",\"a\"]}");
    assertThat(service(store).splits(job.id(), owner).predictions()).containsExactly("b", "a");
    assertThatThrownBy(() -> service(store).splitCsv(job.id(), "train", true, owner))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessage("predictions: only for split=test (got split=train)");
    assertThatThrownBy(() -> splits.withPredictions(List.of("a"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anotherKeysJobIsAbsent() {
    FileJobStore store = new FileJobStore(dir);
    Job job = store.create(FileJobStoreTest.REQUEST, "key-a");
    JobSplits.of(new DatasetRef("d", 1, "ab"), Split.none()).write(store.directory(job.id()));
    assertThatThrownBy(() -> service(store).splits(job.id(), Grants.none("key-b")))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND))
        .hasMessage("no job " + job.id());
  }

  @Test
  void aJobStoredBeforeSplitsWereRecordedLoadsAndHasNone() throws Exception {
    // job.json as Kiln wrote it before splits: nothing about them, and no splits.json beside it.
    Path old = Files.createDirectories(dir.resolve("7"));
    Files.writeString(
        old.resolve("job.json"),
        """
        {"id":7,"state":"SUCCEEDED","request":{"dataset":"digits","dataset_version":1,"model":{}},
         "created":"2026-01-01T00:00:00Z","started":"2026-01-01T00:00:01Z","finished":"2026-01-01T00:01:00Z",
         "cancel_requested":false,"history":[],"evaluation":{"accuracy":0.9},"deployments":[],"created_by":"key-a"}
        """);
    FileJobStore store = new FileJobStore(dir);
    assertThat(store.get(7)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
    assertThatThrownBy(() -> service(store).splits(7, Grants.all("key-a")))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND))
        .hasMessage(
            "job 7 has no recorded splits (it failed before splitting its data, or was stored before Kiln recorded"
                + " splits)");
    Job queued = store.create(FileJobStoreTest.REQUEST, "key-a");
    assertThatThrownBy(() -> service(store).splits(queued.id(), Grants.all("key-a")))
        .hasMessage("job " + queued.id() + " has no recorded splits (it has not started)");
  }
}
