package dev.kiln.core.llm;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.ModelName;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.RepositoryEntry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The language models a server serves: every {@code <repository>/<name>/<version>/model.gguf}, the highest version
 * of each, loaded at start. A model that fails to load is reported with its reason; the others serve.
 */
public final class LanguageModels implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LanguageModels.class.getName());

  /** A loaded model with its metrics and the version it came from. */
  public record Served(String name, long version, ServedLanguageModel model) {}

  private final Map<String, Served> served = new ConcurrentHashMap<>();
  /** By {@code name/version}. */
  private final Map<String, RepositoryEntry> failures = new ConcurrentHashMap<>();
  private final LanguageEngine engine;
  private final LlmSettings settings;
  private final TokenUsage usage;
  private final MeterRegistry registry;
  /** One set of meters per model name, kept across reloads (Micrometer refuses a second registration). */
  private final Map<String, LlmMetrics> metrics = new ConcurrentHashMap<>();

  /** Loads every language model in {@code repository}, with the default queue, deadline and drain. */
  public LanguageModels(Path repository, LanguageEngine engine, int contextLength, int slots,
      MeterRegistry registry) {
    this(repository, engine, LlmSettings.of(contextLength, slots), TokenUsage.NONE, registry);
  }

  /**
   * Loads every language model in {@code repository}.
   *
   * @param usage where each request's tokens are charged when it ends
   */
  public LanguageModels(Path repository, LanguageEngine engine, LlmSettings settings, TokenUsage usage,
      MeterRegistry registry) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.usage = Objects.requireNonNull(usage, "usage");
    this.registry = Objects.requireNonNull(registry, "registry");
    for (Map.Entry<String, Map.Entry<Long, Path>> e : scan(repository, engine.modelFileName()).entrySet()) {
      String name = e.getKey();
      long version = e.getValue().getKey();
      try {
        LanguageModel m = engine.load(e.getValue().getValue(), settings.contextLength(), settings.slots());
        served.put(name, new Served(name, version, served(name, m)));
        LOG.info(() -> "language model " + name + " version " + version + " ready");
      } catch (RuntimeException ex) {
        // One bad file never stops the server: the model is reported failed and the others serve.
        failed(name, version, ex instanceof ModelLoadException m
            ? new ModelLoadException(reason(m, e.getValue().getValue()), m) : ex);
      }
    }
  }

  /**
   * Serves {@code file} as {@code name} (a registry push), replacing what served under that name.
   *
   * @throws ModelLoadException when the file cannot be loaded, with a reason that names neither the file's path
   *     nor its name; what served before keeps serving
   */
  public synchronized void serve(String name, long version, Path file) {
    LanguageModel m;
    try {
      m = engine.load(file, settings.contextLength(), settings.slots());
    } catch (ModelLoadException e) {
      LOG.warning("language model " + name + " version " + version + " failed to load: " + e.getMessage());
      throw new ModelLoadException(reason(e, file), e);
    }
    Served old = served.put(name, new Served(name, version, served(name, m)));
    // Failures of this version and older ones are moot now; a newer one that failed (and made the server fall
    // back to this one) stays reported.
    failures.values().removeIf(f -> f.name().equals(name) && Long.parseLong(f.version()) <= version);
    if (old != null) {
      // New requests already reach the new version; the old one's finish (up to the drain timeout) off this thread.
      Thread.ofPlatform().name("llm-drain-" + name).start(() -> old.model().drainAndClose(settings.drainTimeout()));
    }
  }

  private ServedLanguageModel served(String name, LanguageModel m) {
    return new ServedLanguageModel(name, m, metrics.computeIfAbsent(name, n -> new LlmMetrics(registry, n)),
        settings, usage);
  }

  /**
   * Records that {@code version} of {@code name} failed to load (at start), so the repository index shows it with
   * the reason; what serves under that name, if anything, keeps serving.
   */
  public void failed(String name, long version, RuntimeException cause) {
    String reason = cause instanceof ModelLoadException || cause instanceof KilnException ? cause.getMessage()
        : "the model file could not be loaded";
    failures.put(name + "/" + version, new RepositoryEntry(name, Long.toString(version), ModelState.UNAVAILABLE,
        reason));
    LOG.warning("language model " + name + " version " + version + " failed to load: " + reason);
    LOG.log(Level.FINE, "load failure of language model " + name, cause);
  }

  /**
   * The engine's reason, naming the file as the model file rather than by where it lies: a registry version is
   * staged as {@code <data>/llm-cache/<sha256>.gguf}, and neither that path nor that name is for callers.
   */
  private String reason(RuntimeException e, Path file) {
    String why = e.getMessage() == null ? "cannot be loaded" : e.getMessage();
    return why.replace(file.toAbsolutePath().toString(), engine.modelFileName())
        .replace(file.toString(), engine.modelFileName())
        .replace(file.getFileName().toString(), engine.modelFileName());
  }

  public Optional<Served> get(String name) {
    return Optional.ofNullable(served.get(name));
  }

  /** Ready models, by name. */
  public List<Served> all() {
    return new TreeMap<>(served).values().stream().toList();
  }

  /** Versions that failed to load at start and have not been superseded since, with the reason. */
  public List<RepositoryEntry> failures() {
    return failures.values().stream().sorted(java.util.Comparator.comparing(RepositoryEntry::name)
        .thenComparingLong(f -> Long.parseLong(f.version()))).toList();
  }

  /** name → (highest version, its model file), for version folders holding {@code fileName}. */
  static Map<String, Map.Entry<Long, Path>> scan(Path repository, String fileName) {
    Map<String, Map.Entry<Long, Path>> found = new TreeMap<>();
    if (!Files.isDirectory(repository)) {
      return found;
    }
    try (Stream<Path> models = Files.list(repository)) {
      for (Path dir : (Iterable<Path>) models::iterator) {
        String name = dir.getFileName().toString();
        if (!ModelName.isValid(name) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (Stream<Path> versions = Files.list(dir)) {
          for (Path v : (Iterable<Path>) versions::iterator) {
            Long version = ModelRepository.versionOf(v);
            Path file = v.resolve(fileName);
            if (version != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
              Map.Entry<Long, Path> best = found.get(name);
              if (best == null || best.getKey() < version) {
                found.put(name, Map.entry(version, file));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model repository", e);
    }
    return found;
  }

  /**
   * Drains every model together: new requests are refused (UNAVAILABLE), those admitted finish for up to the drain
   * timeout, the rest are cancelled; then the models are freed.
   */
  @Override
  public void close() {
    List<Thread> draining = new ArrayList<>();
    for (Served s : served.values()) {
      draining.add(Thread.ofPlatform().name("llm-drain-" + s.name())
          .start(() -> s.model().drainAndClose(settings.drainTimeout())));
    }
    served.clear();
    for (Thread t : draining) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
