package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs podman the way these machines need it: crun fails on their hybrid cgroup setup, so runc with cgroupfs; the
 * lowered ulimits and host networking are the run flags verified here. Without podman, runc, debootstrap or root (the
 * offline image build needs all four) the test is skipped on a developer's machine and fails under CI ({@code
 * CI=true}).
 */
final class Podman {
  /** The verified flags of {@code podman run}, after the image-independent global ones. */
  static final List<String> RUN_FLAGS =
      List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "host");

  private static final List<String> GLOBAL = List.of("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs");

  /** What a command printed (stdout and stderr together) and its exit status. */
  record Result(int exit, String output) {}

  private Podman() {}

  static void requireTools() throws InterruptedException {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("podman", "runc", "debootstrap")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("root (debootstrap makes the base image's root filesystem)");
    }
    if (!missing.isEmpty()) {
      assertThat(System.getenv("CI")).as("the container image test needs %s under CI", missing).isNotEqualTo("true");
      Assumptions.abort("container image test needs " + missing);
    }
  }

  /** {@code podman ARGS...} with the global flags; fails the test if it does not finish within the timeout. */
  static Result podman(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(GLOBAL);
    command.addAll(List.of(args));
    return run(command, timeout, Path.of("."));
  }

  /** Runs a command with its output in a file (a build prints megabytes), returned once it exits. */
  static Result run(List<String> command, Duration timeout, Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile("kiln-podman", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command + " did not finish in " + timeout + ":\n" + tail(log));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String tail(Path log) throws IOException {
    String s = Files.readString(log, StandardCharsets.UTF_8);
    return s.substring(Math.max(0, s.length() - 4000));
  }

  private static boolean onPath(String tool) throws InterruptedException {
    try {
      // build-offline.sh adds /usr/sbin, where debootstrap lives, to its PATH.
      return new ProcessBuilder("sh", "-c", "PATH=$PATH:/usr/sbin:/sbin command -v " + tool).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
