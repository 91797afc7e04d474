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
 */
public final class ModelRepository implements ModelCatalog {
  private static final String CONFIG_FILE = "config.json";

  private final Path root;
  private final List<Engine> engines;
  private final Set<String> servedElsewhere;
  private final ModelConfigReader configReader = new ModelConfigReader();

  public ModelRepository(Path root, List<Engine> engines) {
    this(root, engines, Set.of());
  }

  /**
   * @param servedElsewhere model file names another part of the server serves (e.g. {@code model.gguf} for
   *     language models): folders holding only those are not this repository's models
   */
  public ModelRepository(Path root, List<Engine> engines, Set<String> servedElsewhere) {
    this.servedElsewhere = Set.copyOf(servedElsewhere);
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
          .filter(n -> !onlyServedElsewhere(root.resolve(n)))
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

  /** Whether a model folder's versions hold another engine family's files and none of ours. */
  private boolean onlyServedElsewhere(Path dir) {
    if (servedElsewhere.isEmpty()) {
      return false;
    }
    boolean foreign = false;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path v : (Iterable<Path>) s::iterator) {
        if (versionOf(v) == null) {
          continue;
        }
        for (Engine e : engines) {
          if (Files.isRegularFile(v.resolve(e.modelFileName()), LinkOption.NOFOLLOW_LINKS)) {
            return false;
          }
        }
        for (String f : servedElsewhere) {
          foreign |= Files.isRegularFile(v.resolve(f), LinkOption.NOFOLLOW_LINKS);
        }
      }
    } catch (IOException e) {
      return false;
    }
    return foreign;
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
