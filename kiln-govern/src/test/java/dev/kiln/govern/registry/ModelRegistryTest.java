package dev.kiln.govern.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.GovernanceStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir Path dir;
  GovernanceStores stores;
  ArtifactStore artifacts;
  ModelRegistry registry;

  @BeforeEach
  void open() {
    stores = GovernanceStores.sqlite(dir);
    artifacts = ArtifactStore.open(dir.resolve("artifacts"), ArtifactCipher.plain());
    registry =
        new ModelRegistry(
            stores.registry(), artifacts, new Auditor(stores.audit(), Clock.systemUTC()), Clock.systemUTC(), 1 << 20);
  }

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  void aPushServesItsBytesVerified() {
    VersionRecord v = registry.push("m", new ByteArrayInputStream(new byte[] {1, 2, 3}), "uploaded", "{}", "k", "");
    assertThat(v.state()).isEqualTo(VersionRecord.State.PUBLISHED);
    assertThat(registry.names()).containsExactly("m");
    assertThat(registry.read("m").orElseThrow().contents().get(1L).read()).containsExactly(1, 2, 3);
  }

  @Test
  void anUploadThatDiesHalfwayLeavesNoVersionAndNoFile() {
    InputStream dying =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 1000) {
              throw new IOException("connection reset");
            }
            return 7;
          }
        };
    assertThatThrownBy(() -> registry.push("m", dying, "uploaded", "{}", "k", ""))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot store artifact")
        .hasRootCauseInstanceOf(IOException.class)
        .hasRootCauseMessage("connection reset");
    assertThat(registry.names()).isEmpty();
    assertThat(registry.models()).isEmpty(); // not even the model the push created
    assertThat(artifacts.keys()).isEmpty();
  }

  @Test
  void cleanUpKeepsTheArtifactsThatTrainingsJobFilesPointTo() {
    ArtifactStore.PutResult checkpoint = artifacts.put(new ByteArrayInputStream(new byte[] {4}), 100);
    ArtifactStore.PutResult orphan = artifacts.put(new ByteArrayInputStream(new byte[] {5}), 100);
    stores
        .database()
        .transaction(c -> {
          try (var s = c.createStatement()) {
            s.executeUpdate("INSERT INTO jobs (id, state, body) VALUES (1, 'RUNNING', '{}')");
            return s.executeUpdate(
                "INSERT INTO job_files (job_id, name, artifact, sha256, size) VALUES (1, 'checkpoints/checkpoint.json', '"
                    + checkpoint.key()
                    + "', '"
                    + checkpoint.sha256()
                    + "', 1)");
          }
        });

    assertThat(registry.cleanUp(Duration.ZERO)).isEqualTo(1);

    assertThat(artifacts.keys()).containsExactly(checkpoint.key()).doesNotContain(orphan.key());
  }

  @Test
  void aProcessKilledBetweenReserveAndPublishLeavesAPendingVersionNobodySeesAndCleanUpRemoves() {
    // What a server killed mid-upload leaves: a reserved version, and maybe its artifact, never published.
    stores.registry().ensureModel("m", "k", Instant.now());
    VersionRecord pending =
        stores.registry().reserveVersion("m", "onnx", "uploaded", "k", Instant.now().minusSeconds(3600));
    ArtifactStore.PutResult orphan = artifacts.put(new ByteArrayInputStream(new byte[] {9}), 100);
    assertThat(registry.versions("m")).isEmpty();
    assertThat(registry.read("m")).isEmpty();
    assertThat(registry.cleanUp(Duration.ZERO)).isEqualTo(2);
    assertThat(stores.registry().version("m", pending.version())).isEmpty();
    assertThat(artifacts.keys()).doesNotContain(orphan.key());
    VersionRecord next = registry.push("m", new ByteArrayInputStream(new byte[] {1}), "uploaded", "{}", "k", "");
    assertThat(next.version()).isEqualTo(pending.version() + 1); // numbers are never reused
  }

  @Test
  void aliasesPointAtPublishedVersionsOnly() {
    registry.push("m", new ByteArrayInputStream(new byte[] {1}), "uploaded", "{}", "k", "");
    registry.alias("m", "production", 1, "k", "");
    assertThat(registry.resolve("m", "production")).hasValue(1L);
    assertThatThrownBy(() -> registry.alias("m", "staging", 5, "k", "")).hasMessageContaining("no version 5");
    assertThatThrownBy(() -> registry.alias("m", "../x", 1, "k", "")).hasMessageContaining("invalid alias");
    assertThat(registry.resolve("m", "nope")).isEmpty();
    assertThat(registry.resolve("../m", "production")).isEmpty();
  }

  @Test
  void aliasesResolveFromMemoryUntilTheChangeFeedSaysTheModelChanged() {
    registry.push("m", new ByteArrayInputStream(new byte[] {1}), "uploaded", "{}", "k", "");
    registry.push("m", new ByteArrayInputStream(new byte[] {2}), "uploaded", "{}", "k", "");
    registry.alias("m", "production", 1, "k", "");
    assertThat(registry.resolve("m", "production")).hasValue(1L);

    stores.registry().setAlias("m", "production", 2); // as another replica would, behind this one's back
    assertThat(registry.resolve("m", "production")).hasValue(1L); // no database read per call
    registry.changed("m"); // what the change feed calls
    assertThat(registry.resolve("m", "production")).hasValue(2L);

    registry.deleteVersion("m", 2, "k", "");
    assertThat(registry.resolve("m", "production")).isEmpty(); // the alias went with its version, here at once
  }

  @Test
  void aVersionItsLoaderRefusesIsUndoneAndAuditedAsFailedWithTheReason() {
    registry.push("m", new ByteArrayInputStream(new byte[] {1}), "uploaded", "{}", "k", "");
    VersionLoader refuses =
        v -> {
          throw new dev.kiln.core.engine.ModelLoadException("not a valid GGUF file: general.alignment is STRING");
        };
    VersionLoader crashes =
        v -> {
          throw new ClassCastException("class java.lang.String cannot be cast to class java.lang.Number");
        };
    for (String name : java.util.List.of("m", "fresh")) {
      assertThatThrownBy(
              () -> registry.push(name, new ByteArrayInputStream(new byte[] {2}), "uploaded", "{}", "k", "", refuses))
          .isInstanceOfSatisfying(
              dev.kiln.core.error.KilnException.class,
              e -> assertThat(e.kind()).isEqualTo(dev.kiln.core.error.ErrorKind.INVALID_ARGUMENT))
          .hasMessage("the model was refused: not a valid GGUF file: general.alignment is STRING");
      assertThatThrownBy(
              () -> registry.push(name, new ByteArrayInputStream(new byte[] {3}), "uploaded", "{}", "k", "", crashes))
          .isInstanceOf(dev.kiln.core.error.KilnException.class)
          .hasMessage("the model was refused: it could not be loaded");
    }
    assertThat(registry.versions("m")).extracting(VersionRecord::version).containsExactly(1L);
    assertThat(registry.models()).extracting(ModelRecord::name).containsExactly("m"); // "fresh" is not kept
    assertThat(artifacts.keys()).hasSize(1);
    var pushes = stores.audit().query(null, "model.push", null, null, null, 100);
    assertThat(pushes)
        .extracting(dev.kiln.govern.audit.AuditEvent::outcome)
        .containsExactlyInAnyOrder("ok", "failed", "failed", "failed", "failed");
    assertThat(pushes)
        .filteredOn(e -> e.outcome().equals("failed"))
        .extracting(dev.kiln.govern.audit.AuditEvent::detail)
        .contains("the model was refused: not a valid GGUF file: " + "general.alignment is STRING");
    VersionRecord next =
        registry.push("fresh", new ByteArrayInputStream(new byte[] {4}), "uploaded", "{}", "k", "", VersionLoader.NONE);
    assertThat(next.state()).isEqualTo(VersionRecord.State.PUBLISHED);
  }
}
