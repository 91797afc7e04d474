package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started in a child JVM on this test's class path: {@code main} starts Kiln and prints {@code port N} once it
 * listens; everything it writes goes to a log file, which failures quote.
 */
record ChildJvm(Process process, int port) {
  /**
   * Starts {@code main} with {@code args} and {@code env} added to this process's environment, and waits up to 60 s for
   * its port. A child that exits or stays silent fails the test and is killed.
   *
   * @param label how failures name the child ("child", "replica 2")
   */
  static ChildJvm start(Class<?> main, List<String> args, Map<String, String> env, Path log, String label)
      throws Exception {
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
                main.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    try {
      return new ChildJvm(p, awaitPort(p, log, label));
    } catch (Exception | AssertionError e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private static int awaitPort(Process p, Path log, String label) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String out = Files.readString(log);
      for (String line : out.lines().toList()) {
        if (line.startsWith("port ")) {
          return Integer.parseInt(line.substring(5).trim());
        }
      }
      if (!p.isAlive()) {
        throw new AssertionError(label + " exited with " + p.exitValue() + "; its log:\n" + Files.readString(log));
      }
      assertThat(System.nanoTime()).as("%s started within 60 s; its log:\n%s", label, out).isLessThan(until);
      Thread.sleep(50);
    }
  }
}
