package dev.kiln.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * A governance server in this JVM and a second one in a child process ({@link #main}) on the same repository, data and
 * governance database.
 */
abstract class ChildServerFixture extends GovernanceServerFixture {
  Process child;

  /** The child: a server on this test's data that prints its HTTP port and runs until it is killed. */
  public static void main(String[] args) throws Exception {
    GovernanceConfig g = GovernanceConfig.defaults(Path.of(args[1])).withAuth(true).withMasterKey(Path.of(args[2]));
    if (args.length > 3) {
      g =
          g.withDatabase(
              new GovernanceConfig.Database(
                  args[3],
                  Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_USER")),
                  Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_PASSWORD"))));
    }
    Kiln k = Kiln.start(KilnConfig.defaults(Path.of(args[0]), 0, 0).withGovernance(g));
    System.out.println("port " + k.httpPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Override
  @AfterEach
  void stop() {
    if (child != null) {
      child.destroyForcibly();
      try {
        child.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    super.stop();
  }

  /**
   * Starts the child server on {@code g}'s database and this test's data and master key, logging to {@code log}; its
   * HTTP port.
   */
  int startChild(GovernanceConfig g, Path log) throws Exception {
    List<String> args = new ArrayList<>(List.of(repo.toString(), data.toString(), masterKey.toString()));
    g.database().ifPresent(d -> args.add(d.url()));
    ChildJvm started = ChildJvm.start(ChildServerFixture.class, args, Map.of(), log, "child");
    child = started.process();
    return started.port();
  }
}
