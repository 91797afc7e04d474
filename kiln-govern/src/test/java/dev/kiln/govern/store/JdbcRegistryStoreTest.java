package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.registry.ModelRecord;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.govern.registry.VersionRecord.State;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run on each database by {@link SqliteStoresTest} and {@link PostgresqlStoresTest}. */
abstract class JdbcRegistryStoreTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private final Backend backend;
  @TempDir Path tmp;
  private TestDatabase db;
  private JdbcRegistryStore registry;

  JdbcRegistryStoreTest(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() {
    db = TestDatabase.create(backend, tmp);
    registry = new JdbcRegistryStore(db.open());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  private VersionRecord reserve(String model) {
    return registry.reserveVersion(model, "onnx", "uploaded", "ab12cd", T0);
  }

  private VersionRecord pushed(String model) {
    VersionRecord v = reserve(model);
    assertThat(registry.publish(model, v.version(), "art/" + model + "/" + v.version(), "sha", 42, "{}")).isTrue();
    return registry.version(model, v.version()).orElseThrow();
  }

  @Test
  void ensureModelCreatesOnceAndKeepsTheFirstCreator() {
    ModelRecord first = registry.ensureModel("mnist", "ab12cd", T0);
    ModelRecord again = registry.ensureModel("mnist", "someone-else", T0.plusSeconds(5));

    assertThat(again).isEqualTo(first).isEqualTo(new ModelRecord("mnist", "", T0, "ab12cd", false));
    registry.setCard("mnist", "# MNIST");
    registry.setArchived("mnist", true);
    assertThat(registry.model("mnist")).contains(new ModelRecord("mnist", "# MNIST", T0, "ab12cd", true));
    assertThat(registry.models()).extracting(ModelRecord::name).containsExactly("mnist");
    assertThatThrownBy(() -> registry.setCard("nope", "x")).isInstanceOf(KilnException.class);
  }

  @Test
  void concurrentReservationsOnTwoReplicasGetDistinctConsecutiveVersions() throws Exception {
    registry.ensureModel("mnist", "ab12cd", T0);
    JdbcRegistryStore other = new JdbcRegistryStore(db.open());
    ConcurrentLinkedQueue<Long> versions = new ConcurrentLinkedQueue<>();

    Concurrently.run(
        8,
        thread -> {
          JdbcRegistryStore store = thread % 2 == 0 ? registry : other;
          for (int i = 0; i < 5; i++) {
            versions.add(store.reserveVersion("mnist", "onnx", "uploaded", "t" + thread, T0).version());
          }
        });

    assertThat(versions).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    assertThat(registry.versions("mnist")).hasSize(40).allMatch(v -> v.state() == State.PENDING);
  }

  @Test
  void reservingForAnUnknownModelIsNotFound() {
    assertThatThrownBy(() -> reserve("nope"))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void aDeletedVersionsNumberIsNeverReused() {
    registry.ensureModel("mnist", "ab12cd", T0);
    reserve("mnist");
    registry.deleteVersion("mnist", 1);

    assertThat(reserve("mnist").version()).isEqualTo(2);
  }

  @Test
  void publishMovesOnlyAPendingVersionAndRecordsItsArtifact() {
    registry.ensureModel("mnist", "ab12cd", T0);
    VersionRecord v = reserve("mnist");

    assertThat(registry.publish("mnist", v.version(), "art/1", "abc", 1234, "{\"lineage\":1}")).isTrue();
    assertThat(registry.publish("mnist", v.version(), "art/other", "def", 1, "{}")).isFalse();
    assertThat(registry.publish("mnist", 99, "art/99", "def", 1, "{}")).isFalse();
    assertThat(registry.version("mnist", v.version()))
        .contains(
            new VersionRecord(
                "mnist",
                1,
                State.PUBLISHED,
                "onnx",
                "art/1",
                "abc",
                1234,
                "uploaded",
                "{\"lineage\":1}",
                "ab12cd",
                T0));
  }

  @Test
  void publishedListsOnlyPublishedVersionsOfModelsNotArchived() {
    registry.ensureModel("mnist", "ab12cd", T0);
    registry.ensureModel("old", "ab12cd", T0);
    VersionRecord one = pushed("mnist");
    VersionRecord two = pushed("mnist");
    reserve("mnist");
    registry.setVersionState("mnist", two.version(), State.ARCHIVED);
    pushed("old");
    registry.setArchived("old", true);

    assertThat(registry.published()).containsExactly(one);
    registry.setVersionState("mnist", two.version(), State.PUBLISHED);
    assertThat(registry.published()).extracting(VersionRecord::version).containsExactly(1L, 2L);
  }

  @Test
  void aPendingVersionChangesStateOnlyByPublishing() {
    registry.ensureModel("mnist", "ab12cd", T0);
    VersionRecord v = reserve("mnist");

    assertThatThrownBy(() -> registry.setVersionState("mnist", v.version(), State.ARCHIVED))
        .isInstanceOfSatisfying(
            KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.FAILED_PRECONDITION));
    assertThatThrownBy(() -> registry.setVersionState("mnist", 99, State.ARCHIVED))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    assertThat(registry.version("mnist", v.version()).orElseThrow().state()).isEqualTo(State.PENDING);
  }

  @Test
  void aliasesAreSetMovedAndDeleted() {
    registry.ensureModel("mnist", "ab12cd", T0);
    pushed("mnist");
    pushed("mnist");

    registry.setAlias("mnist", "prod", 1);
    registry.setAlias("mnist", "canary", 2);
    assertThat(registry.aliases("mnist")).isEqualTo(Map.of("prod", 1L, "canary", 2L));
    registry.setAlias("mnist", "prod", 2);
    assertThat(registry.aliases("mnist")).isEqualTo(Map.of("prod", 2L, "canary", 2L));
    assertThat(registry.deleteAlias("mnist", "canary")).isTrue();
    assertThat(registry.deleteAlias("mnist", "canary")).isFalse();
    assertThat(registry.aliases("mnist")).isEqualTo(Map.of("prod", 2L));
  }

  @Test
  void anAliasToAMissingVersionFailsAndLeavesAliasesAlone() {
    registry.ensureModel("mnist", "ab12cd", T0);
    pushed("mnist");
    registry.setAlias("mnist", "prod", 1);

    assertThatThrownBy(() -> registry.setAlias("mnist", "prod", 7))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    assertThat(registry.aliases("mnist")).isEqualTo(Map.of("prod", 1L));
  }

  @Test
  void deletingAVersionDeletesTheAliasesPointingAtIt() {
    registry.ensureModel("mnist", "ab12cd", T0);
    pushed("mnist");
    pushed("mnist");
    registry.setAlias("mnist", "prod", 1);
    registry.setAlias("mnist", "canary", 2);

    assertThat(registry.deleteVersion("mnist", 1)).isTrue();
    assertThat(registry.deleteVersion("mnist", 1)).isFalse();
    assertThat(registry.aliases("mnist")).isEqualTo(Map.of("canary", 2L));
  }

  @Test
  void stalePendingFindsVersionsWhoseWriterDiedBeforeTheCutoff() {
    registry.ensureModel("mnist", "ab12cd", T0);
    VersionRecord dead = registry.reserveVersion("mnist", "onnx", "uploaded", "a", T0);
    registry.reserveVersion("mnist", "onnx", "uploaded", "a", T0.plusSeconds(3600));
    VersionRecord done = registry.reserveVersion("mnist", "onnx", "uploaded", "a", T0);
    registry.publish("mnist", done.version(), "art", "sha", 1, null);

    assertThat(registry.stalePending(T0.plusSeconds(60))).containsExactly(dead);
  }

  @Test
  void deletingAModelDeletesItsVersionsAndAliases() {
    registry.ensureModel("mnist", "ab12cd", T0);
    registry.ensureModel("other", "ab12cd", T0);
    pushed("mnist");
    VersionRecord kept = pushed("other");
    registry.setAlias("mnist", "prod", 1);

    assertThat(registry.deleteModel("mnist")).isTrue();
    assertThat(registry.deleteModel("mnist")).isFalse();
    assertThat(registry.model("mnist")).isEmpty();
    assertThat(registry.versions("mnist")).isEmpty();
    assertThat(registry.aliases("mnist")).isEmpty();
    assertThat(registry.published()).isEqualTo(List.of(kept));
    // A model of the same name starts afresh.
    registry.ensureModel("mnist", "ab12cd", T0);
    assertThat(reserve("mnist").version()).isEqualTo(1);
  }
}
