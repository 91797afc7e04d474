package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process's job workspace outlives a SIGKILL only until the next process starts in the same parent folder, and never
 * disappears under a process that is still running (a real child process holds the other workspace).
 */
class JobWorkspaceTest {
  @TempDir Path parent;

  /** A child: opens a workspace under args[0], writes a checkpoint-like file into it, prints its path, waits. */
  public static void main(String[] args) throws Exception {
    JobWorkspace w = JobWorkspace.open(Path.of(args[0]));
    Files.writeString(
        Files.createDirectories(w.path().resolve("1")).resolve("weights.bin"), "x", StandardCharsets.UTF_8);
    System.out.println(w.path());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void aKilledProcesssWorkspaceIsRemovedByTheNextStartAndALiveOnesIsKept() throws Exception {
    Files.createDirectories(parent);
    Path orphan = Files.createDirectories(parent.resolve("old-folder-without-lock"));
    Files.writeString(orphan.resolve("model.onnx"), "stale");
    Process child = child();
    Path childs;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      childs = Path.of(out.readLine());
    }

    try (JobWorkspace mine = JobWorkspace.open(parent)) {
      assertThat(childs).isDirectory().hasParent(parent);
      assertThat(childs.resolve("1").resolve("weights.bin")).exists(); // its process runs: kept
      assertThat(orphan).doesNotExist(); // no lock: a process that is gone left it
      assertThat(mine.path()).isDirectory().hasParent(parent).isNotEqualTo(childs);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mine.path()))).isEqualTo("rwx------");

      child.destroyForcibly(); // SIGKILL: no clean-up of its own
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(childs).isDirectory();

      try (JobWorkspace next = JobWorkspace.open(parent)) {
        assertThat(childs).doesNotExist();
        assertThat(Path.of(childs + ".lock")).doesNotExist();
        assertThat(mine.path()).isDirectory(); // another server of this process: alive
        assertThat(next.path()).isDirectory();
      }
    } finally {
      child.destroyForcibly();
    }
    try (Stream<Path> left = Files.list(parent)) {
      assertThat(left.toList()).as("closed workspaces leave nothing").isEqualTo(List.of());
    }
  }

  private Process child() throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), JobWorkspaceTest.class.getName(), parent.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }
}
