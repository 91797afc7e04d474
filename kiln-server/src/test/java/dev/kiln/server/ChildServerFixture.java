package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // No -Xss: the child starts Kiln from its main thread with the default 1 MB stack, which killed it with SIGSEGV
    // before Kiln.start ran start-up on a thread of its own (RateLimitCrashTest is the regression test for that).
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ChildServerFixture.class.getName(),
                repo.toString(),
                data.toString(),
                masterKey.toString()));
    g.database().ifPresent(d -> command.add(d.url()));
    child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String out = Files.readString(log);
      for (String line : out.lines().toList()) {
        if (line.startsWith("port ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
      if (!child.isAlive()) {
        throw new AssertionError("child exited with " + child.exitValue() + "; its log:\n" + Files.readString(log));
      }
      assertThat(System.nanoTime()).as("child started within 60 s; its log:\n%s", out).isLessThan(until);
      Thread.sleep(50);
    }
  }
}
