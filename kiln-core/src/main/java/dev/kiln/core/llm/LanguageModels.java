package dev.kiln.core.llm;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.LanguageSource;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.ModelsBeside;
import dev.kiln.core.serving.RepositoryEntry;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The language models a server serves: the model repository's language models (its one scan, {@link
 * ModelRepository#languageModels}), the highest version of each, loaded at start, and registry pushes. A model that
 * fails to load is reported with its reason in the repository index; the others serve. They are reported to the
 * inference core as {@link ModelsBeside}: readiness, index rows with state and reason, load and unload (which drains).
 */
public final class LanguageModels implements ModelsBeside, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LanguageModels.class.getName());

  /** A loaded model with its metrics and the version it came from. */
  public record Served(String name, long version, ServedLanguageModel model) {}

  private final Map<String, Served> served = new ConcurrentHashMap<>();

  /** By {@code name/version}: failed to load, or (version "") unloaded by request. */
  private final Map<String, RepositoryEntry> failures = new ConcurrentHashMap<>();

  /** Draining after an unload or a replacement, by {@code name/version}. */
  private final Map<String, RepositoryEntry> draining = new ConcurrentHashMap<>();

  private final Supplier<List<LanguageSource>> catalog;
  private final LanguageEngine engine;
  private final LlmSettings settings;
  private final TokenUsage usage;
  private final MeterRegistry registry;

  /** One set of meters per model name, kept across reloads (Micrometer refuses a second registration). */
  private final Map<String, LlmMetrics> metrics = new ConcurrentHashMap<>();

  /** Loads every language model in the folder {@code repository}, with the default queue, deadline and drain. */
  public LanguageModels(Path repository, LanguageEngine engine, int contextLength, int slots, MeterRegistry registry) {
    this(
        new ModelRepository(repository, List.of(), Set.of(engine.modelFileName()))::languageModels,
        engine,
        LlmSettings.of(contextLength, slots),
        TokenUsage.NONE,
        registry);
  }

  /**
   * Loads every language model {@code catalog} lists now; {@link #load} reads it again.
   *
   * @param usage where each request's tokens are charged when it ends
   */
  public LanguageModels(
      Supplier<List<LanguageSource>> catalog,
      LanguageEngine engine,
      LlmSettings settings,
      TokenUsage usage,
      MeterRegistry registry) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.usage = Objects.requireNonNull(usage, "usage");
    this.registry = Objects.requireNonNull(registry, "registry");
    for (LanguageSource s : catalog.get()) {
      try {
        serve(s.name(), s.version(), s.file());
        LOG.info(() -> "language model " + s.name() + " version " + s.version() + " ready");
      } catch (RuntimeException ex) {
        failed(s.name(), s.version(), ex); // one bad file never stops the server: the others serve
      }
    }
  }

  /**
   * Serves {@code file} as {@code name} (a registry push), replacing what served under that name, which drains.
   *
   * @throws ModelLoadException when the file cannot be loaded, with a reason that names neither the file's path nor its
   *     name; what served before keeps serving
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
    failures
        .values()
        .removeIf(f -> f.name().equals(name) && (f.version().isEmpty() || Long.parseLong(f.version()) <= version));
    if (old != null) {
      drainInBackground(old); // new requests already reach the new version
    }
  }

  /**
   * Records that {@code version} of {@code name} failed to load, so the repository index shows it with the reason; what
   * serves under that name, if anything, keeps serving.
   */
  public void failed(String name, long version, RuntimeException cause) {
    String reason =
        cause instanceof ModelLoadException || cause instanceof KilnException
            ? cause.getMessage()
            : "the model file could not be loaded";
    failures.put(
        name + "/" + version, new RepositoryEntry(name, Long.toString(version), ModelState.UNAVAILABLE, reason));
    LOG.warning("language model " + name + " version " + version + " failed to load: " + reason);
    LOG.log(Level.FINE, "load failure of language model " + name, cause);
  }

  /** Loads {@code name} afresh from the repository's one scan (an explicit load); the old one drains. */
  @Override
  public void load(String name) {
    LanguageSource s =
        catalog.get().stream()
            .filter(c -> c.name().equals(name))
            .findFirst()
            .orElseThrow(() -> KilnException.notFound("model '" + name + "' is not in the repository"));
    try {
      serve(s.name(), s.version(), s.file());
    } catch (ModelLoadException e) {
      failed(s.name(), s.version(), e);
      throw KilnException.invalid("failed to load '" + name + "': " + e.getMessage());
    }
  }

  /** Takes {@code name} out of service: new requests get 404 at once, those in flight finish, then it is freed. */
  @Override
  public synchronized void unload(String name) {
    Served s = served.remove(name);
    if (s != null) {
      failures.put(name + "/", new RepositoryEntry(name, "", ModelState.UNAVAILABLE, "unloaded"));
      drainInBackground(s);
    }
  }

  /**
   * Drains {@code s} off the caller's thread, so a registry push or an unload returns at once; the version shows
   * UNLOADING in the index until it is freed.
   */
  private void drainInBackground(Served s) {
    String key = s.name() + "/" + s.version();
    draining.put(key, new RepositoryEntry(s.name(), Long.toString(s.version()), ModelState.UNLOADING, "draining"));
    Thread.ofPlatform()
        .name("llm-drain-" + s.name())
        .start(() -> {
          try {
            s.model().drainAndClose(settings.drainTimeout());
          } finally {
            draining.remove(key);
          }
        });
  }

  private ServedLanguageModel served(String name, LanguageModel m) {
    return new ServedLanguageModel(
        name, m, metrics.computeIfAbsent(name, n -> new LlmMetrics(registry, n)), settings, usage);
  }

  /**
   * The engine's reason, naming the file as the model file rather than by where it lies: a registry version is staged
   * as {@code <data>/llm-cache/<sha256>.gguf}, and neither that path nor that name is for callers.
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

  /** Versions that failed to load and have not been superseded since, with the reason. */
  public List<RepositoryEntry> failures() {
    return failures.values().stream().filter(f -> !f.version().isEmpty()).sorted(BY_VERSION).toList();
  }

  private static final Comparator<RepositoryEntry> BY_VERSION =
      Comparator.comparing(RepositoryEntry::name)
          .thenComparingLong(f -> f.version().isEmpty() ? -1 : Long.parseLong(f.version()));

  /** Served versions (READY), versions draining (UNLOADING), failed or unloaded ones (UNAVAILABLE, with why). */
  @Override
  public List<RepositoryEntry> index() {
    List<RepositoryEntry> rows = new ArrayList<>(failures.values());
    for (Served s : served.values()) {
      // A model whose engine process died is loaded but not serving: UNAVAILABLE with why, until it is back.
      Optional<String> fault = s.model().fault();
      rows.add(
          new RepositoryEntry(
              s.name(),
              Long.toString(s.version()),
              fault.isPresent() ? ModelState.UNAVAILABLE : ModelState.READY,
              fault.orElse("")));
    }
    rows.addAll(draining.values());
    rows.sort(BY_VERSION);
    return rows;
  }

  @Override
  public String platform() {
    return engine.platform();
  }

  /**
   * Drains every model together: new requests are refused (UNAVAILABLE), those admitted finish for up to the drain
   * timeout, the rest are cancelled; then the models are freed.
   */
  @Override
  public void close() {
    List<Thread> closing = new ArrayList<>();
    for (Served s : served.values()) {
      closing.add(
          Thread.ofPlatform()
              .name("llm-drain-" + s.name())
              .start(() -> s.model().drainAndClose(settings.drainTimeout())));
    }
    served.clear();
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
