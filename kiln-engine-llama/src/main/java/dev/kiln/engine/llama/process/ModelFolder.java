package dev.kiln.engine.llama.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One model's owner-only folder ({@code 0700}, named {@code kiln-llm-<server pid>-<random>}): the channel's socket and
 * a hard link to the model file, so a staged (decrypted) file lives on under this name only while its process runs.
 * Deleted when the model closes, by a shutdown hook when the server exits first, and by {@link #sweep} at the next
 * start for a server that was killed. Where a link is impossible (another file system), the child reads the file in
 * place: a repository's own file, which is where its owner keeps it anyway.
 */
record ModelFolder(Path path, Path model, Thread hook) {
  private static final Logger LOG = Logger.getLogger(ModelFolder.class.getName());
  private static final String PREFIX = "kiln-llm-";

  static ModelFolder create(Path work, Path file) {
    try {
      Files.createDirectories(work);
      Path dir =
          Files.createTempDirectory(
              work,
              PREFIX + ProcessHandle.current().pid() + "-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path model = dir.resolve("model.gguf");
      try {
        Files.createLink(model, file.toAbsolutePath());
      } catch (IOException | UnsupportedOperationException e) {
        LOG.log(Level.FINE, "cannot link the model file; the child reads it in place", e);
        model = file.toAbsolutePath();
      }
      Thread hook = Thread.ofPlatform().unstarted(() -> remove(dir));
      Runtime.getRuntime().addShutdownHook(hook);
      return new ModelFolder(dir, model, hook);
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a language model's folder: " + e.getMessage(), e);
    }
  }

  void delete() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    remove(path);
  }

  /** Deletes the folders of servers that are gone (killed before they could delete their own). */
  static void sweep(Path work) {
    if (!Files.isDirectory(work)) {
      return;
    }
    try (Stream<Path> all = Files.list(work)) {
      for (Path d : all.filter(d -> d.getFileName().toString().startsWith(PREFIX)).toList()) {
        String[] parts = d.getFileName().toString().substring(PREFIX.length()).split("-", 2);
        boolean mine = Files.getOwner(d).getName().equals(System.getProperty("user.name"));
        boolean gone = parts[0].matches("[0-9]+") && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty();
        if (mine && gone) {
          remove(d);
        }
      }
    } catch (IOException e) {
      LOG.warning("could not sweep old language-model folders: " + e.getMessage());
    }
  }

  private static void remove(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> all = files.sorted(Comparator.reverseOrder()).toList();
      all.forEach(ProcessEngine::deleteQuietly);
    } catch (IOException e) {
      LOG.log(Level.FINE, "a language model's folder is gone already", e);
    }
  }
}
