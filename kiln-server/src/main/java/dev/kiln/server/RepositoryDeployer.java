package dev.kiln.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.training.job.Deployer;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.Lineage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Deploys a trained model into the file model repository, as the next numeric version of the model (with its lineage
 * and evaluation in {@value #LINEAGE_FILE}), and loads it. The version directory is staged beside the model and renamed
 * into place, so the repository never holds a half-written version for a polling server to trip on.
 */
final class RepositoryDeployer implements Deployer {
  /** Beside {@code model.onnx} in each deployed version: the job, its lineage and its test metrics. */
  static final String LINEAGE_FILE = "kiln-lineage.json";

  record VersionRecord(long job, Lineage lineage, JsonNode evaluation) {}

  private final Path repository;
  private final InferenceCore core;

  RepositoryDeployer(Path repository, InferenceCore core) {
    this.repository = repository;
    this.core = core;
  }

  @Override
  public synchronized String deploy(String model, Path onnx, Job job) {
    Path dir = repository.resolve(model);
    try {
      Files.createDirectories(dir);
      long next = nextVersion(dir);
      Path staging = Files.createTempDirectory(repository, ".deploy-");
      Files.copy(onnx, staging.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
      // The version carries where it came from and how it scored, for whoever reads the repository later.
      Files.write(
          staging.resolve(LINEAGE_FILE),
          JobJson.MAPPER
              .writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(new VersionRecord(job.id(), job.lineage(), job.evaluation())));
      Files.move(staging, dir.resolve(Long.toString(next)), StandardCopyOption.ATOMIC_MOVE);
      core.publish(model);
      return Long.toString(next);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot deploy job " + job.id() + " as " + model, e);
    }
  }

  private static long nextVersion(Path dir) throws IOException {
    try (var versions = Files.list(dir)) {
      return versions
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.isEmpty() && n.length() < 18 && n.chars().allMatch(Character::isDigit))
              .mapToLong(Long::parseLong)
              .max()
              .orElse(0)
          + 1;
    }
  }
}
