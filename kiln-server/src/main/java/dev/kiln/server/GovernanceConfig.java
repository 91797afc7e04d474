package dev.kiln.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The governance settings: the metadata database, whether API keys are required, and the registry's artifact store.
 *
 * @param dataDir where the embedded SQLite database ({@code governance.db}) and the artifact store ({@code
 *     artifacts/}) live
 * @param databaseUrl a JDBC URL ({@code jdbc:postgresql://...}) to use instead of the embedded SQLite; null for SQLite
 * @param auth whether every route and RPC but the health probes needs an API key
 * @param masterKeyFile the master key for artifacts at rest; null: {@code KILN_MASTER_KEY}, else stored unencrypted
 *     (with a warning)
 * @param keyCacheTtl how long a replica trusts what it read about a key (revocations elsewhere take this long)
 * @param maxArtifactBytes largest model file a push may store
 */
public record GovernanceConfig(Path dataDir, String databaseUrl, String databaseUser, String databasePassword,
    boolean auth, Path masterKeyFile, Duration keyCacheTtl, long maxArtifactBytes) {
  public static GovernanceConfig defaults(Path dataDir) {
    return new GovernanceConfig(dataDir, null, null, null, false, null, Duration.ofSeconds(5), 2L << 30);
  }

  public GovernanceConfig withAuth(boolean on) {
    return new GovernanceConfig(dataDir, databaseUrl, databaseUser, databasePassword, on, masterKeyFile, keyCacheTtl,
        maxArtifactBytes);
  }

  public GovernanceConfig withDatabase(String url, String user, String password) {
    return new GovernanceConfig(dataDir, url, user, password, auth, masterKeyFile, keyCacheTtl, maxArtifactBytes);
  }

  public GovernanceConfig withMasterKey(Path file) {
    return new GovernanceConfig(dataDir, databaseUrl, databaseUser, databasePassword, auth, file, keyCacheTtl,
        maxArtifactBytes);
  }

  public GovernanceConfig withKeyCacheTtl(Duration ttl) {
    return new GovernanceConfig(dataDir, databaseUrl, databaseUser, databasePassword, auth, masterKeyFile, ttl,
        maxArtifactBytes);
  }
}
