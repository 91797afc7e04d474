package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.govern.audit.AuditEvent;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.registry.ModelRecord;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.onnx.ExampleModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Registry version → served" over real stores on a temp dir, a real ONNX engine and a real inference core. */
class RegistryDeploymentsTest {
  private static final byte[] NOT_ONNX = "not a model at all".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] GGUF = {'G', 'G', 'U', 'F', 3, 0, 0, 0};

  @TempDir Path dir;
  GovernanceStores stores;
  ArtifactStore artifacts;
  ModelRegistry registry;
  OnnxEngine engine;
  InferenceCore core;
  final List<VersionRecord> servedLanguageModels = new ArrayList<>();
  RegistryDeployments deployments;

  @BeforeEach
  void open() {
    stores = GovernanceStores.sqlite(dir);
    artifacts = ArtifactStore.open(dir.resolve("artifacts"), ArtifactCipher.plain());
    registry =
        new ModelRegistry(
            stores.registry(), artifacts, new Auditor(stores.audit(), Clock.systemUTC()), Clock.systemUTC(), 1 << 20);
    engine = new OnnxEngine();
    core =
        new InferenceCore(
            registry,
            List.of(engine),
            EngineOptions.defaults(),
            new InferenceMetrics(new SimpleMeterRegistry()),
            CoreSettings.defaults());
    core.start();
    // The language-model side refuses every GGUF as llama.cpp would refuse a damaged one.
    deployments =
        new RegistryDeployments(
            registry,
            core,
            v -> {
              servedLanguageModels.add(v);
              throw KilnException.invalid("not a valid GGUF file");
            });
  }

  @AfterEach
  void close() {
    core.close();
    stores.close();
  }

  @Test
  void aPushThatLoadsIsKeptServedAndAuditedOk() {
    VersionRecord v = push("m", ExampleModels.addSub());

    assertThat(v.version()).isEqualTo(1);
    assertThat(registry.versions("m")).extracting(VersionRecord::version).containsExactly(1L);
    assertThat(artifacts.keys()).containsExactly(v.artifact());
    assertThat(row("m", "1")).extracting(RepositoryEntry::state).isEqualTo(ModelState.READY);
    assertThat(pushes()).extracting(AuditEvent::outcome).containsExactly("ok");
  }

  @Test
  void aPushThatDoesNotLoadIsUndoneAndAuditedFailed() {
    assertThatThrownBy(() -> push("m", NOT_ONNX))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageStartingWith("the model was refused: ");

    assertThat(registry.models()).extracting(ModelRecord::name).doesNotContain("m"); // the push made it: gone
    assertThat(artifacts.keys()).isEmpty();
    assertThat(core.index(false)).extracting(RepositoryEntry::name).doesNotContain("m"); // nor its failure
    assertThat(pushes())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.outcome()).isEqualTo("failed");
          assertThat(e.target()).isEqualTo("model:m/1");
          assertThat(e.detail()).startsWith("the model was refused: ");
        });
  }

  @Test
  void aRefusedVersionLeavesTheVersionsThatServeAlone() {
    VersionRecord first = push("m", ExampleModels.addSub());
    assertThatThrownBy(() -> push("m", NOT_ONNX)).isInstanceOf(KilnException.class);

    assertThat(registry.versions("m")).extracting(VersionRecord::version).containsExactly(1L);
    assertThat(artifacts.keys()).containsExactly(first.artifact());
    assertThat(core.index(false))
        .extracting(RepositoryEntry::name, RepositoryEntry::version, RepositoryEntry::state)
        .containsExactly(Tuple.tuple("m", "1", ModelState.READY));
    assertThat(pushes()).extracting(AuditEvent::outcome).containsExactlyInAnyOrder("ok", "failed");
  }

  @Test
  void aLanguageModelThatDoesNotLoadIsUndoneToo() {
    assertThatThrownBy(() -> push("chat", GGUF))
        .isInstanceOf(KilnException.class)
        .hasMessage("the model was refused: not a valid GGUF file");

    assertThat(servedLanguageModels).extracting(VersionRecord::model).containsExactly("chat");
    assertThat(registry.models()).isEmpty();
    assertThat(artifacts.keys()).isEmpty();
    assertThat(pushes()).extracting(AuditEvent::outcome).containsExactly("failed");
  }

  @Test
  void deletingAVersionStopsServingIt() {
    push("m", ExampleModels.addSub());
    push("m", ExampleModels.addSub());
    assertThat(row("m", "2")).extracting(RepositoryEntry::state).isEqualTo(ModelState.READY);

    deployments.deleteVersion("m", 2, "k", "");

    assertThat(core.index(false)).extracting(RepositoryEntry::version).containsExactly("1");
    deployments.deleteModel("m", "k", "");
    assertThat(core.index(false)).isEmpty();
    assertThat(artifacts.keys()).isEmpty();
  }

  private VersionRecord push(String model, byte[] bytes) {
    return deployments.push(model, new ByteArrayInputStream(bytes), "uploaded", "{}", "k", "");
  }

  private RepositoryEntry row(String model, String version) {
    return core.index(false).stream()
        .filter(e -> e.name().equals(model) && e.version().equals(version))
        .findFirst()
        .orElseThrow();
  }

  private List<AuditEvent> pushes() {
    return stores.audit().query(null, "model.push", null, null, null, 100);
  }
}
