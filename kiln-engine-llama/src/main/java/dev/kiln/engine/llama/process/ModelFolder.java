package dev.kiln.engine.llama.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One model's owner-only folder ({@code 0700}, named {@code kiln-llm-<server pid>-<random>}): the channel's socket and
 * a hard link to the model file, which every restart of its process reads. A staged (decrypted) file is deleted with
 * the last folder that links it, so its plaintext outlives no process that serves it. Deleted when the model closes, by
 * a shutdown hook when the server exits first, and by {@link #sweep} at the next start for a server that was killed.
 * Where a link is impossible (another file system), the child reads the file in place: a repository's own file, which
 * is where its owner keeps it anyway.
 */
record ModelFolder(Path path, Path model, Thread hook, Optional<Path> staged) {
  private static final Logger LOG = Logger.getLogger(ModelFolder.class.getName());
  private static final String PREFIX = "kiln-llm-";

  /**
   * @param staged set when {@code file} is a staged plaintext copy: it is deleted with the folder once no other model's
   *     folder links it
   */
  static ModelFolder create(Path work, Path file, boolean staged) {
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
      boolean linked = !model.equals(file.toAbsolutePath());
      return new ModelFolder(dir, model, hook, staged && linked ? Optional.of(file) : Optional.empty());
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
    staged.ifPresent(ModelFolder::releaseStaged);
  }

  /** Deletes a staged file that no model's folder links any more (its link count is back to one: its own name). */
  private static void releaseStaged(Path file) {
    try {
      if (Files.exists(file) && ((Number) Files.getAttribute(file, "unix:nlink")).intValue() == 1) {
        Files.delete(file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warning("could not release a staged model file: " + e.getMessage());
    }
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
