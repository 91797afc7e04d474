package dev.kiln.training.djl;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.training.engine.EpochMetrics;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * A run's progress on disk: after epoch {@code epoch}, the weights then, the best weights so far (for early stopping)
 * and the history. The state file is written last and atomically, and names weight files that already exist, so a crash
 * at any moment leaves either the previous checkpoint or this one.
 *
 * <p>Optimizer state (momentum, Adam's moments) is not saved: DJL does not expose it, so a resumed run restarts those
 * averages, which costs a few steps of convergence, not correctness.
 */
record Checkpoint(
    int epoch,
    List<EpochMetrics> history,
    int bestEpoch,
    double best,
    int sinceImprovement,
    String weights,
    String bestWeights) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATE = "checkpoint.json";

  static Optional<Checkpoint> read(Path dir) throws IOException {
    Path state = dir.resolve(STATE);
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(state.toFile(), Checkpoint.class));
  }

  /** Saves {@code block}'s weights as this epoch's, and the state that points at them. */
  static Checkpoint write(Path dir, Block block, Checkpoint next, boolean isBest) throws IOException {
    Files.createDirectories(dir);
    String weights = "weights-" + next.epoch + ".params";
    saveAtomically(block, dir.resolve(weights));
    String bestWeights = next.bestWeights;
    if (isBest) {
      bestWeights = "best-" + next.epoch + ".params";
      Files.copy(dir.resolve(weights), dir.resolve(bestWeights), StandardCopyOption.REPLACE_EXISTING);
    }
    Checkpoint c =
        new Checkpoint(
            next.epoch, next.history, next.bestEpoch, next.best, next.sinceImprovement, weights, bestWeights);
    Path tmp = dir.resolve(STATE + ".tmp");
    JSON.writeValue(tmp.toFile(), c);
    Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    deleteOthers(dir, c);
    return c;
  }

  static void load(Path file, Block block, NDManager manager) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      block.loadParameters(manager, new DataInputStream(in));
    } catch (MalformedModelException e) {
      throw new IOException("checkpoint " + file + " does not fit this model: " + e.getMessage(), e);
    }
  }

  private static void saveAtomically(Block block, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
      DataOutputStream data = new DataOutputStream(out);
      block.saveParameters(data);
      data.flush();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteOthers(Path dir, Checkpoint keep) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".params") && !name.equals(keep.weights) && !name.equals(keep.bestWeights)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
