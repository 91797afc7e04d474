package dev.kiln.engine.llama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Gives the binding a folder of this process's own to unpack {@code libjllama.so} into. By default every JVM on the
 * machine unpacks it to the same {@code /tmp/libjllama.so} and first deletes the binding's files it finds there, so two
 * processes starting at once (two replicas on one host, two test JVMs) can delete or rewrite the file under each other
 * and fail with "No native library found". A child process of {@code --llm-isolation process} is given its own folder
 * by its parent; this covers the in-process engine and anything else that loads the binding.
 */
final class NativeFolder {
  /** The binding's own property for where it unpacks its library (read by {@code LlamaLoader}). */
  static final String PROPERTY = "de.kherud.llama.tmpdir";

  private NativeFolder() {}

  /** Sets {@link #PROPERTY} to a new owner-only folder, removed when the JVM ends, unless it is already set. */
  static synchronized void claim() {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    try {
      Path folder = Files.createTempDirectory("kiln-llama-native-");
      System.setProperty(PROPERTY, folder.toString());
      Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> delete(folder)));
    } catch (IOException e) {
      // Without a folder of its own the binding uses the shared temporary folder, as it always did.
    }
  }

  private static void delete(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort at exit: a leftover folder in the temporary folder is harmless.
    }
  }
}
