package dev.kiln.server;

import dev.kiln.govern.blob.StoreLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The governance settings: the metadata database, whether API keys are required, and the registry's artifact store.
 *
 * @param dataDir where the embedded SQLite database ({@code governance.db}) and the artifact store ({@code artifacts/})
 *     live
 * @param database a PostgreSQL database to use instead of the embedded SQLite; empty for SQLite
 * @param auth whether every route and RPC but the health probes needs an API key
 * @param masterKeyFile the master key for artifacts at rest; empty: {@code KILN_MASTER_KEY}, else stored unencrypted
 *     (with a warning)
 * @param keyCacheTtl how long a replica trusts what it read about a key when the change feed is silent: a safety net
 *     only, as the feed drops a changed key at once
 * @param maxArtifactBytes largest model file a push may store
 * @param changeInterval how often a replica reads the change feed (on PostgreSQL a notification wakes it sooner):
 *     changes made through another replica take effect here within about this long
 * @param limitBlock the most requests of a rate limit or request quota a replica leases from the database at once
 *     (never more than 1/32 of the limit): limits are never overshot; 1 is exact and a round trip per limited request,
 *     larger may leave up to a lease less one unused on each idle replica ({@code RateLimiter})
 * @param artifactStore where model artifacts live: the folder {@code <dataDir>/artifacts} by default, or an S3 bucket
 *     (replicas share it; a remote store keeps its local scratch files in {@code <dataDir>/artifacts/tmp})
 * @param scratch the folder under which this process keeps its plaintext working copies (cached datasets, uploads being
 *     staged, job workspaces, served GGUF files; {@code PlaintextScratch}); empty: {@code /dev/shm} (RAM) where there
 *     is one, else {@code <dataDir>/scratch} (disk, with a warning)
 * @param sessionTtl how long a browser session (the web console's sign-in) lasts; sessions live in the database, so
 *     every replica honours them
 */
public record GovernanceConfig(
    Path dataDir,
    Optional<Database> database,
    boolean auth,
    Optional<Path> masterKeyFile,
    Duration keyCacheTtl,
    long maxArtifactBytes,
    Duration changeInterval,
    int limitBlock,
    StoreLocation artifactStore,
    Optional<Path> scratch,
    Duration sessionTtl) {
  /** The default {@link #limitBlock}: a database round trip per 64 limited requests (BENCHMARKS.md). */
  public static final int LIMIT_BLOCK = 64;

  /** The default {@link #sessionTtl}: a working day. */
  public static final Duration SESSION_TTL = Duration.ofHours(12);

  /** The default {@link #changeInterval}. */
  public static final Duration CHANGE_INTERVAL = Duration.ofMillis(250);

  /**
   * A database server for the metadata.
   *
   * @param url a JDBC URL ({@code jdbc:postgresql://...})
   * @param user empty to take it from the URL
   * @param password empty to take it from the URL
   */
  public record Database(String url, Optional<String> user, Optional<String> password) {
    public Database {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }
  }

  public GovernanceConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(masterKeyFile, "masterKeyFile");
    Objects.requireNonNull(keyCacheTtl, "keyCacheTtl");
    Objects.requireNonNull(changeInterval, "changeInterval");
    Objects.requireNonNull(artifactStore, "artifactStore");
    Objects.requireNonNull(scratch, "scratch");
    Objects.requireNonNull(sessionTtl, "sessionTtl");
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("sessionTtl must be positive");
    }
    if (changeInterval.isNegative() || changeInterval.isZero()) {
      throw new IllegalArgumentException("changeInterval must be positive");
    }
    if (limitBlock < 1) {
      throw new IllegalArgumentException("limitBlock must be at least 1");
    }
  }

  public static GovernanceConfig defaults(Path dataDir) {
    return new GovernanceConfig(
        dataDir,
        Optional.empty(),
        false,
        Optional.empty(),
        Duration.ofMinutes(1),
        2L << 30,
        CHANGE_INTERVAL,
        LIMIT_BLOCK,
        new StoreLocation.Folder(dataDir.resolve("artifacts")),
        Optional.empty(),
        SESSION_TTL);
  }

  public GovernanceConfig withAuth(boolean on) {
    return new GovernanceConfig(
        dataDir,
        database,
        on,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        scratch,
        sessionTtl);
  }

  public GovernanceConfig withDatabase(Database db) {
    return new GovernanceConfig(
        dataDir,
        Optional.of(db),
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        scratch,
        sessionTtl);
  }

  /** The database at {@code url}, logging in as {@code user} with {@code password}. */
  public GovernanceConfig withDatabase(String url, String user, String password) {
    return withDatabase(new Database(url, Optional.of(user), Optional.of(password)));
  }

  public GovernanceConfig withMasterKey(Path file) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        Optional.of(file),
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        scratch,
        sessionTtl);
  }

  public GovernanceConfig withChangeInterval(Duration interval) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        interval,
        limitBlock,
        artifactStore,
        scratch,
        sessionTtl);
  }

  public GovernanceConfig withLimitBlock(int block) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        block,
        artifactStore,
        scratch,
        sessionTtl);
  }

  public GovernanceConfig withArtifactStore(StoreLocation store) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        store,
        scratch,
        sessionTtl);
  }

  public GovernanceConfig withKeyCacheTtl(Duration ttl) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        ttl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        scratch,
        sessionTtl);
  }

  /** Plaintext working copies under {@code parent} instead of the default ({@link #scratch}). */
  public GovernanceConfig withScratch(Path parent) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        Optional.of(parent),
        sessionTtl);
  }

  public GovernanceConfig withSessionTtl(Duration ttl) {
    return new GovernanceConfig(
        dataDir,
        database,
        auth,
        masterKeyFile,
        keyCacheTtl,
        maxArtifactBytes,
        changeInterval,
        limitBlock,
        artifactStore,
        scratch,
        ttl);
  }
}
