package dev.kiln.cli;

import dev.kiln.server.GovernanceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code kiln serve}'s governance options: API keys, the metadata database and the master key of stored artifacts. */
final class ServeGovernanceOptions {
  @Option(
      names = "--auth",
      description =
          "Require an API key on every route and RPC but the health probes; a "
              + "first start prints an admin key once.")
  boolean auth;

  @Option(
      names = "--no-database",
      description = "No metadata database: no registry, keys or audit (a model " + "folder only, as before).")
  boolean noDatabase;

  @Option(
      names = "--database",
      description =
          "JDBC URL of the metadata database (default: SQLite in the data "
              + "directory); e.g. jdbc:postgresql://db:5432/kiln")
  String databaseUrl;

  @Option(names = "--database-user", description = "Database user (password from $KILN_DATABASE_PASSWORD).")
  String databaseUser;

  @Option(
      names = "--master-key",
      description =
          "Master key file for model artifacts at rest (default: "
              + "$KILN_MASTER_KEY; without either, artifacts are stored unencrypted). Make one with: kiln master-key new FILE")
  Path masterKey;

  @Option(
      names = "--scratch",
      description =
          "Folder for this process's plaintext working copies (cached datasets, uploads being staged, job files, served"
              + " GGUF models); keep it on tmpfs so they stay in RAM (default: /dev/shm, else <data>/scratch with a"
              + " warning).")
  Path scratch;

  @Mixin StoreOptions store;

  @Option(
      names = "--change-interval",
      defaultValue = "250ms",
      description =
          "How often this replica reads the change feed: keys, aliases and versions changed through another replica"
              + " take effect here within about this long; on PostgreSQL a notification is sooner (default:"
              + " ${DEFAULT-VALUE}).")
  Duration changeInterval;

  @Option(
      names = "--session-ttl",
      defaultValue = "12h",
      description =
          "How long a web console sign-in (a browser session) lasts; sessions live in the database, so every replica"
              + " and a restarted server honour them (default: ${DEFAULT-VALUE}).")
  Duration sessionTtl;

  @Option(
      names = "--limit-block",
      defaultValue = "64",
      description =
          "The most requests of a key's rate limit or daily request quota this replica leases from the database at"
              + " once, never more than 1/32 of the limit: limits are never overshot; 1 is exact (a round trip per"
              + " limited request), B may leave up to B-1 unused on each idle replica (default: ${DEFAULT-VALUE}).")
  int limitBlock;

  /**
   * The governance settings from the flags, empty with --no-database; the database password comes from {@code
   * KILN_DATABASE_PASSWORD}.
   *
   * @param dataDir where the default (SQLite) database lives
   */
  Optional<GovernanceConfig> config(Path dataDir) {
    if (noDatabase) {
      return Optional.empty();
    }
    GovernanceConfig g =
        GovernanceConfig.defaults(dataDir)
            .withAuth(auth)
            .withChangeInterval(changeInterval)
            .withLimitBlock(limitBlock)
            .withSessionTtl(sessionTtl)
            .withArtifactStore(store.location(dataDir));
    if (databaseUrl != null) {
      g =
          g.withDatabase(
              new GovernanceConfig.Database(
                  databaseUrl,
                  Optional.ofNullable(databaseUser),
                  Optional.ofNullable(System.getenv("KILN_DATABASE_PASSWORD"))));
    }
    if (scratch != null) {
      g = g.withScratch(scratch);
    }
    return Optional.of(masterKey == null ? g : g.withMasterKey(masterKey));
  }

  /**
   * Refuses --auth without a database, where the keys would live, a change interval or session lifetime that is not
   * positive, a limit block under 1.
   */
  void check(CommandLine cli) {
    if (changeInterval.isNegative() || changeInterval.isZero()) {
      throw new ParameterException(cli, "--change-interval must be positive (e.g. 250ms)");
    }
    if (limitBlock < 1) {
      throw new ParameterException(cli, "--limit-block must be at least 1");
    }
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new ParameterException(cli, "--session-ttl must be positive (e.g. 12h)");
    }
    store.check(cli);
    if (noDatabase && store.store != null) {
      throw new ParameterException(cli, "--store needs the database (the registry lives there); drop --no-database");
    }
    if (auth && noDatabase) {
      throw new ParameterException(cli, "--auth needs the database (keys live there); drop --no-database");
    }
    if (noDatabase && (masterKey != null || scratch != null)) {
      // Without the database, datasets and job files stay in the file stores, in the clear: a key would promise more.
      throw new ParameterException(
          cli,
          (masterKey != null ? "--master-key" : "--scratch")
              + " needs the database (encryption at rest covers the artifact store); drop --no-database");
    }
  }
}
