package dev.kiln.core.repository;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads models from a folder laid out as {@code <root>/<model>/<version>/<file>}. Version folders are positive
 * integers; other entries are ignored. Symbolic links are not followed out of the root.
 *
 * <p>It is the one reader of the folder for both kinds of model: a model folder whose versions hold a language model
 * file (a GGUF) and no tensor engine's file is a language model ({@link #languageModels}); every other folder is a
 * tensor model ({@link #names}, {@link #read}).
 */
public final class ModelRepository implements ModelCatalog {
  private static final String CONFIG_FILE = "config.json";

  private final Path root;
  private final List<Engine> engines;
  private final Set<String> languageFiles;
  private final ModelConfigReader configReader = new ModelConfigReader();

  public ModelRepository(Path root, List<Engine> engines) {
    this(root, engines, Set.of());
  }

  /**
   * @param languageFiles file names of language models in a version folder (e.g. {@code model.gguf})
   */
  public ModelRepository(Path root, List<Engine> engines, Set<String> languageFiles) {
    this.languageFiles = Set.copyOf(languageFiles);
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("model repository not found: " + root, e);
    }
    this.engines = List.copyOf(engines);
  }

  public Path root() {
    return root;
  }

  /** Names of every model folder in the repository, sorted. */
  @Override
  public List<String> names() {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .filter(ModelName::isValid)
          .filter(n -> languageVersions(root.resolve(n)).isEmpty())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads one model.
   *
   * @return empty when there is no such folder
   * @throws KilnException INVALID_ARGUMENT for an invalid name; {@link IllegalArgumentException} for a bad config
   */
  @Override
  public Optional<ModelSource> read(String name) {
    Path dir = root.resolve(ModelName.require(name)).normalize();
    if (!dir.getParent().equals(root) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    ModelConfig config = ModelConfig.defaults(name);
    String platform = null;
    Path cfg = dir.resolve(CONFIG_FILE);
    if (Files.isRegularFile(cfg, LinkOption.NOFOLLOW_LINKS)) {
      String text;
      try {
        text = Files.readString(cfg);
      } catch (IOException e) {
        throw new IllegalArgumentException("config.json cannot be read");
      }
      config = configReader.read(name, text);
      platform = configReader.platform(text);
    }
    Map<Long, Path> files = new TreeMap<>();
    Engine engine = null;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path v : (Iterable<Path>) s::iterator) {
        Long version = versionOf(v);
        if (version == null) {
          continue;
        }
        for (Engine e : engines) {
          if (platform != null && !platform.equals(e.platform())) {
            continue;
          }
          Path f = v.resolve(e.modelFileName());
          if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            files.put(version, f);
            engine = engine == null ? e : engine;
            break;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String chosen = platform != null ? platform : engine != null ? engine.platform() : engines.get(0).platform();
    return Optional.of(ModelSource.of(name, config, chosen, files));
  }

  public List<ModelSource> readAll() {
    List<ModelSource> out = new ArrayList<>();
    for (String n : names()) {
      read(n).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The language models, by name: each folder whose versions hold a language model file and no tensor engine's file,
   * with its highest such version.
   */
  public List<LanguageSource> languageModels() {
    List<LanguageSource> out = new ArrayList<>();
    if (languageFiles.isEmpty()) {
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path dir : (Iterable<Path>) s.sorted()::iterator) {
        String name = dir.getFileName().toString();
        if (ModelName.isValid(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          TreeMap<Long, Path> versions = languageVersions(dir);
          if (!versions.isEmpty()) {
            out.add(new LanguageSource(name, versions.lastKey(), versions.lastEntry().getValue()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model repository", e);
    }
    return out;
  }

  /** A folder's versions holding a language model file, or none when any version holds a tensor engine's file. */
  private TreeMap<Long, Path> languageVersions(Path dir) {
    TreeMap<Long, Path> found = new TreeMap<>();
    if (languageFiles.isEmpty()) {
      return found;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path v : (Iterable<Path>) s::iterator) {
        if (versionOf(v) == null) {
          continue;
        }
        for (Engine e : engines) {
          if (Files.isRegularFile(v.resolve(e.modelFileName()), LinkOption.NOFOLLOW_LINKS)) {
            return new TreeMap<>();
          }
        }
        for (String f : languageFiles) {
          if (Files.isRegularFile(v.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
            found.put(versionOf(v), v.resolve(f));
          }
        }
      }
    } catch (IOException e) {
      return new TreeMap<>();
    }
    return found;
  }

  /** The version a repository folder stands for ({@code 1}, {@code 2}, ...), or null if it is not one. */
  public static Long versionOf(Path p) {
    String n = p.getFileName().toString();
    if (!n.matches("[1-9][0-9]{0,17}") || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    return Long.parseLong(n);
  }
}
