package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's plaintext scratch: owner-only, its own, deleted at close and after a crash (a real SIGKILL). */
class PlaintextScratchTest {
  @TempDir Path dir;

  /** The child: opens a scratch under {@code args[0]}, writes a file in it, says so, then waits to be killed. */
  public static void main(String[] args) throws Exception {
    PlaintextScratch scratch = PlaintextScratch.open(Path.of(args[0]));
    Files.writeString(scratch.folder("datasets").resolve("plain.csv"), "secret\n");
    System.out.println("ready " + scratch.root());
    System.out.flush();
    Thread.sleep(60_000);
  }

  @Test
  void foldersAreOwnerOnlyAndCloseDeletesThem() throws IOException {
    Path root;
    try (PlaintextScratch scratch = PlaintextScratch.open(dir.resolve("parent"))) {
      root = scratch.root();
      Path datasets = scratch.folder("datasets");
      Files.writeString(datasets.resolve("a.csv"), "x\n");
      assertThat(root.getParent()).isEqualTo(dir.resolve("parent").toRealPath());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(datasets))).isEqualTo("rwx------");
      assertThat(scratch.folder("datasets")).isEqualTo(datasets);
    }
    assertThat(root).doesNotExist();
  }

  @Test
  void theDefaultIsSharedMemoryWhereItIsTmpfsElseTheFallback() throws IOException {
    Path shm = PlaintextScratch.SHARED_MEMORY;
    boolean tmpfs = Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs") && Files.isWritable(shm);
    assertThat(PlaintextScratch.defaultParent(dir)).isEqualTo(tmpfs ? shm : dir);
    if (tmpfs) {
      try (PlaintextScratch scratch = PlaintextScratch.open(shm)) {
        assertThat(scratch.inMemory()).isTrue();
      }
    }
    try (PlaintextScratch onDisk = PlaintextScratch.open(dir)) {
      assertThat(onDisk.inMemory()).isEqualTo(Files.getFileStore(dir).type().equals("tmpfs"));
    }
  }

  @Test
  void aLiveScratchOfAnotherServerIsKept() {
    try (PlaintextScratch first = PlaintextScratch.open(dir);
        PlaintextScratch second = PlaintextScratch.open(dir)) {
      assertThat(first.root()).exists().isNotEqualTo(second.root());
    }
  }

  @Test
  void theScratchOfAKilledProcessIsDeletedAtTheNextStart() throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                PlaintextScratchTest.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    Path left;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      while (line != null && !line.startsWith("ready ")) {
        line = out.readLine();
      }
      assertThat(line).as("the child never opened its scratch").isNotNull();
      left = Path.of(line.substring("ready ".length()));
      assertThat(left.resolve("datasets").resolve("plain.csv")).exists();
      try (PlaintextScratch whileAlive = PlaintextScratch.open(dir)) {
        assertThat(left).as("a live process's scratch is never touched").exists();
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no clean-up in the child
      child.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(left).exists();

    try (PlaintextScratch restarted = PlaintextScratch.open(dir)) {
      assertThat(left).doesNotExist();
      try (Stream<Path> under = Files.list(dir)) {
        assertThat(under).containsExactly(restarted.root());
      }
    }
  }
}
