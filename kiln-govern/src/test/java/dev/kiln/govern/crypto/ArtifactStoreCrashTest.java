package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash safety with a real process: SIGKILL the writer in the middle of an upload, then "restart". */
class ArtifactStoreCrashTest {
  @TempDir Path dir;

  /** The child: uploads an endless, throttled stream into the store at {@code args[0]} until it is killed. */
  public static void main(String[] args) {
    ArtifactStore store =
        ArtifactStore.open(Path.of(args[0]), ArtifactCipher.sealed(MasterKeys.of(List.of(ArtifactCipherTest.key(1)))));
    store.put(
        new InputStream() {
          @Override
          public int read() {
            return 7;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            int n = Math.min(len, 64 << 10);
            Arrays.fill(b, off, off + n, (byte) 7);
            try {
              Thread.sleep(1);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return n;
          }
        },
        Long.MAX_VALUE);
  }

  @Test
  void killingTheWriterMidUploadPublishesNothingAndCleanTmpRemovesTheRest() throws Exception {
    Path root = dir.resolve("store");
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
                ArtifactStoreCrashTest.class.getName(),
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (partBytes(root) < (8 << 20)) {
        assertThat(child.isAlive()).as("child died: %s", Files.readString(dir.resolve("child.log"))).isTrue();
        assertThat(System.nanoTime()).as("upload never started").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no finally blocks, no shutdown hooks run in the child
      child.waitFor(10, TimeUnit.SECONDS);
    }

    ArtifactStore restarted = ArtifactStore.open(root, ArtifactCipher.plain());
    assertThat(restarted.keys()).isEmpty();
    try (Stream<Path> objects = Files.walk(root.resolve("objects"))) {
      assertThat(objects.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(restarted.cleanTmp(Duration.ZERO)).isEqualTo(1);
    try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }

  private static long partBytes(Path root) throws IOException {
    Path tmp = root.resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
