package dev.kiln.server;

import dev.kiln.core.access.Gate;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.GovernedGate;
import dev.kiln.govern.auth.RateLimiter;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.auth.Sessions;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.crypto.PlaintextScratch;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.store.Change;
import dev.kiln.govern.store.ChangeFeed;
import dev.kiln.govern.store.GovernanceStores;
import dev.kiln.govern.usage.UsageRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The governance side of a server: the metadata database, keys, limits, usage, audit and the registry, wired together,
 * with the background flushes that keep limits and usage shared across replicas.
 */
final class Governance implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Governance.class.getName());
  final GovernanceStores stores;
  final Auditor audit;
  final ApiKeys keys;

  /** Browser sessions (the web console's sign-in), in the database so that every replica honours them. */
  final Sessions sessions;

  final RateLimiter limiter;
  final UsageRecorder usage;
  final ModelRegistry registry;

  /** Model versions' files; training's datasets, job files and dataset keys, shared by the replicas. */
  final ArtifactStore artifacts;

  final Gate gate;

  /**
   * This process's plaintext working copies of what {@link #artifacts} holds sealed: training's dataset cache, upload
   * staging and job workspaces, served GGUF files. RAM-backed by default, deleted at close.
   */
  final PlaintextScratch scratch;

  /**
   * Changes made through any replica, this one included: keys and aliases follow it here; the server adds what serves,
   * then starts it.
   */
  final ChangeFeed changes;

  /** The admin token made on a first start with auth on; empty otherwise. */
  final Optional<String> bootstrapToken;

  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kiln-governance-flush").factory());

  private Governance(
      GovernanceStores stores, PlaintextScratch scratch, GovernanceConfig g, MeterRegistry meters, Clock clock) {
    this.stores = stores;
    this.scratch = scratch;
    audit = new Auditor(stores.audit(), clock);
    keys = new ApiKeys(stores.keys(), clock, g.keyCacheTtl());
    sessions = new Sessions(stores.sessions(), keys, clock, g.sessionTtl(), g.keyCacheTtl());
    limiter = new RateLimiter(stores.counters(), clock, g.limitBlock());
    usage = new UsageRecorder(stores.usage(), meters, clock);
    artifacts = ArtifactStore.open(g.artifactStore().open(g.dataDir()), cipher(g));
    LOG.info("model artifacts are stored in " + artifacts.location());
    registry = new ModelRegistry(stores.registry(), artifacts, audit, clock, g.maxArtifactBytes());
    // Training's datasets, job files and dataset keys live in the same store; the registry's store lists them
    // (ArtifactReferences), so its clean-up does not take them for orphans.
    registry.cleanUp(Duration.ofMinutes(10));
    gate = g.auth() ? new GovernedGate(keys, sessions, limiter, usage) : Gate.OPEN;
    bootstrapToken = g.auth() && !keys.any() ? Optional.of(bootstrap()) : Optional.empty();
    changes = ChangeFeed.of(stores.database(), g.changeInterval()).listen(this::follow);
    flusher.scheduleWithFixedDelay(this::flushLimits, 1, 1, TimeUnit.SECONDS);
    flusher.scheduleWithFixedDelay(usage::flush, 5, 5, TimeUnit.SECONDS);
  }

  static Governance open(GovernanceConfig g, MeterRegistry meters, Clock clock) {
    // The store's contract takes a null user or password as "from the URL".
    GovernanceStores stores =
        g.database()
            .map(d -> GovernanceStores.open(d.url(), d.user().orElse(null), d.password().orElse(null)))
            .orElseGet(() -> GovernanceStores.sqlite(g.dataDir()));
    PlaintextScratch scratch;
    try {
      scratch =
          PlaintextScratch.open(
              g.scratch().orElseGet(() -> PlaintextScratch.defaultParent(g.dataDir().resolve("scratch"))));
    } catch (RuntimeException e) {
      stores.close();
      throw e;
    }
    try {
      return new Governance(stores, scratch, g, meters, clock);
    } catch (RuntimeException e) {
      stores.close();
      scratch.close();
      throw e;
    }
  }

  /** Artifacts are encrypted under the master key from the file, else {@code KILN_MASTER_KEY}, else not at all. */
  private static ArtifactCipher cipher(GovernanceConfig g) {
    Optional<MasterKeys> keys =
        g.masterKeyFile().isPresent()
            ? Optional.of(MasterKeys.fromFile(g.masterKeyFile().get()))
            : MasterKeys.fromEnvironment(System.getenv());
    if (keys.isEmpty()) {
      return ArtifactCipher.plain(); // the artifact store warns that artifacts are stored unencrypted
    }
    LOG.info("model artifacts are encrypted at rest under master key " + keys.get().currentId());
    return ArtifactCipher.sealed(keys.get());
  }

  /** The first admin key of a fresh database with auth on; printed once by {@code kiln serve}. */
  private String bootstrap() {
    ApiKeys.Created admin = keys.create("admin", List.of(Scope.parse("admin")), null, Map.of(), null, "system");
    audit.record("system", "key.create", "key:" + admin.key().id(), "", "ok", "first admin key");
    return admin.token();
  }

  /** Drops what this replica holds in memory about what changed: a key (its limits with it), a model's aliases. */
  private void follow(Change change) {
    switch (change.kind()) {
      case KEY -> {
        keys.forget(change.subject());
        sessions.forget(change.subject()); // a session of the key ended, or the key changed
      }
      case MODEL, ALIAS -> registry.changed(change.subject());
    }
  }

  private void flushLimits() {
    try {
      limiter.flush();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "rate limit flush failed", e);
    }
  }

  @Override
  public void close() {
    changes.close();
    flusher.shutdownNow();
    try {
      limiter.release();
      usage.flush();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "final flush of limits and usage failed", e);
    }
    stores.close();
    scratch.close();
  }
}
