package dev.kiln.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionLoader;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.training.job.Deployer;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Deploys a trained model into the registry: a new version with source {@code trained}, its lineage and test
 * metrics as metadata, checksummed and encrypted like any pushed model; then serves it. A version that does not
 * load is refused and undone exactly as a pushed one is (the same {@link VersionLoader}).
 */
final class RegistryDeployer implements Deployer {
  private final ModelRegistry registry;
  private final VersionLoader loader;
  private final Consumer<String> changed;

  RegistryDeployer(ModelRegistry registry, VersionLoader loader, Consumer<String> changed) {
    this.registry = registry;
    this.loader = loader;
    this.changed = changed;
  }

  @Override
  public String deploy(String model, Path onnx, Job job) {
    ObjectNode meta = JobJson.MAPPER.createObjectNode().put("job", job.id());
    meta.set("lineage", JobJson.MAPPER.valueToTree(job.lineage()));
    meta.set("evaluation", job.evaluation());
    VersionRecord v;
    try (InputStream in = Files.newInputStream(onnx)) {
      v = registry.push(model, in, "trained", meta.toString(), "job:" + job.id(), "", loader);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot read the model of job " + job.id(), e);
    }
    changed.accept(model);
    return Long.toString(v.version());
  }
}
