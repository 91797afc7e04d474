package dev.kiln.core.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.VersionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
  private static final Engine ALPHA = new FileEngine("alpha", "model.alpha");
  private static final Engine BETA = new FileEngine("beta", "model.beta");

  @TempDir Path tmp;
  private Path root;
  private ModelRepository repository;

  @BeforeEach
  void createRepository() throws IOException {
    root = Files.createDirectory(tmp.resolve("repo"));
    repository = new ModelRepository(root, List.of(ALPHA, BETA));
  }

  @Test
  void readsPositiveIntegerVersionFoldersThatHoldAModelFile() throws IOException {
    file("m/1/model.alpha");
    file("m/2/model.alpha");
    file("m/10/model.alpha");

    ModelSource m = repository.read("m").orElseThrow();

    assertThat(m.name()).isEqualTo("m");
    assertThat(m.platform()).isEqualTo("alpha");
    assertThat(m.versionFiles()).containsOnlyKeys(1L, 2L, 10L);
    assertThat(m.versionFiles().get(10L)).isEqualTo(root.resolve("m/10/model.alpha"));
    assertThat(m.config().versionPolicy()).isEqualTo(VersionPolicy.latest());
  }

  @Test
  void oneScanSplitsLanguageModelsFromTensorModels() throws IOException {
    file("chat/1/model.gguf");
    file("chat/3/model.gguf");
    file("chat/x/model.gguf");
    file("mixed/1/model.gguf");
    file("mixed/2/model.alpha"); // a tensor engine's file: a tensor model, whatever else it holds
    file("m/1/model.alpha");
    file("empty/readme.txt");
    ModelRepository both = new ModelRepository(root, List.of(ALPHA, BETA), java.util.Set.of("model.gguf"));

    assertThat(both.names()).containsExactly("empty", "m", "mixed");
    assertThat(both.languageModels()).containsExactly(new LanguageSource("chat", 3, root.resolve("chat/3/model.gguf")));
    assertThat(repository.languageModels()).isEmpty(); // no language model file named: none
    assertThat(repository.names()).contains("chat");
  }

  @Test
  void ignoresNonNumericVersionFoldersStrayFilesAndEmptyVersions() throws IOException {
    file("m/1/model.alpha");
    for (String ignored : List.of("latest", "v2", "01", "0", "-3", "1.5", "99999999999999999999")) {
      file("m/" + ignored + "/model.alpha");
    }
    file("m/7"); // a file, not a folder
    Files.createDirectories(root.resolve("m/8")); // a version folder without a model file
    file("m/9/other.bin");

    assertThat(repository.read("m").orElseThrow().versionFiles()).containsOnlyKeys(1L);
  }

  @Test
  void doesNotFollowSymbolicLinks() throws IOException {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside.resolve("1"));
    Files.writeString(outside.resolve("1/model.alpha"), "x");
    file("m/1/model.alpha");
    Files.createSymbolicLink(root.resolve("m/2"), outside.resolve("1")); // linked version folder
    Files.createDirectories(root.resolve("m/3"));
    Files.createSymbolicLink(root.resolve("m/3/model.alpha"), outside.resolve("1/model.alpha")); // linked file
    Files.createSymbolicLink(root.resolve("linked"), outside); // linked model folder

    assertThat(repository.read("m").orElseThrow().versionFiles()).containsOnlyKeys(1L);
    assertThat(repository.names()).containsExactly("m");
    assertThat(repository.read("linked")).isEmpty();
  }

  @Test
  void picksUpConfigJsonAndItsPlatform() throws IOException {
    file("m/1/model.alpha");
    file("m/1/model.beta");
    Files.writeString(
        root.resolve("m/config.json"), "{\"platform\": \"beta\", \"instance-count\": 3, \"version-policy\": \"all\"}");

    ModelSource m = repository.read("m").orElseThrow();

    assertThat(m.platform()).isEqualTo("beta");
    assertThat(m.versionFiles().get(1L)).isEqualTo(root.resolve("m/1/model.beta"));
    assertThat(m.config().instanceCount()).isEqualTo(3);
    assertThat(m.config().versionPolicy()).isEqualTo(new VersionPolicy.All());
  }

  @Test
  void choosesTheEngineWhoseFileIsPresent() throws IOException {
    file("m/1/model.beta");

    assertThat(repository.read("m").orElseThrow().platform()).isEqualTo("beta");
  }

  @Test
  void badConfigJsonIsAnErrorForThatModel() throws IOException {
    file("m/1/model.alpha");
    Files.writeString(root.resolve("m/config.json"), "{\"instance-count\": 0}");

    assertThatThrownBy(() -> repository.read("m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instance-count");
  }

  @Test
  void namesListsValidModelFoldersOnlySorted() throws IOException {
    file("zeta/1/model.alpha");
    file("alpha/1/model.alpha");
    Files.createDirectories(root.resolve(".hidden"));
    file("stray.txt");

    assertThat(repository.names()).containsExactly("alpha", "zeta");
    assertThat(repository.readAll()).extracting(ModelSource::name).containsExactly("alpha", "zeta");
  }

  @Test
  void unknownNameIsEmptyAndInvalidNameIsInvalidArgument() throws IOException {
    file("m/1/model.alpha");
    Files.createDirectories(tmp.resolve("x/1"));
    Files.writeString(tmp.resolve("x/1/model.alpha"), "x");

    assertThat(repository.read("ghost")).isEmpty();
    for (String bad : List.of("../x", "..", "a/b", "%2e%2e", "")) {
      assertThatThrownBy(() -> repository.read(bad))
          .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
    }
  }

  private void file(String relative) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "x");
  }

  /** An engine that is never asked to load anything here; only its platform and file name matter. */
  private record FileEngine(String platform, String modelFileName) implements Engine {
    @Override
    public ModelInstance load(ModelArtifact artifact) {
      throw new UnsupportedOperationException();
    }
  }
}
