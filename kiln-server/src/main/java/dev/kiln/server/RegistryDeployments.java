package dev.kiln.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.govern.registry.Deployments;
import dev.kiln.govern.registry.ModelRegistry;
import dev.kiln.govern.registry.VersionRecord;
import dev.kiln.training.job.Deployer;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * "Registry version → served" on a server with a registry: pushes (uploaded by the registry API or deployed from a
 * trained job) are stored, then loaded by the inference core or the language-model side, and undone when they do not
 * load ({@link PushedVersions} decides); deletes, aliases and archiving are followed by what serves.
 *
 * <p>A trained model is deployed as a new version with source {@code trained}, its job, lineage and test metrics as
 * metadata, checksummed and encrypted like any pushed model, and refused and undone exactly as a pushed one is.
 */
final class RegistryDeployments implements Deployments, Deployer {
  private final ModelRegistry registry;
  private final InferenceCore core;
  private final Consumer<VersionRecord> serveLanguageModel;
  private final PushedVersions loader;

  /**
   * @param serveLanguageModel serves a GGUF version, throwing when it does not load
   */
  RegistryDeployments(ModelRegistry registry, InferenceCore core, Consumer<VersionRecord> serveLanguageModel) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.core = Objects.requireNonNull(core, "core");
    this.serveLanguageModel = Objects.requireNonNull(serveLanguageModel, "serveLanguageModel");
    this.loader = new PushedVersions(registry, core, serveLanguageModel);
  }

  @Override
  public VersionRecord push(
      String model, InputStream artifact, String source, String metadata, String actor, String from) {
    // The registry undoes and audits a version the loader refuses; one it keeps is already served.
    return registry.push(model, artifact, source, metadata, actor, from, loader);
  }

  @Override
  public void deleteVersion(String model, long version, String actor, String from) {
    registry.deleteVersion(model, version, actor, from);
    changed(model);
  }

  @Override
  public void deleteModel(String model, String actor, String from) {
    registry.deleteModel(model, actor, from);
    changed(model);
  }

  @Override
  public void alias(String model, String alias, long version, String actor, String from) {
    registry.alias(model, alias, version, actor, from);
    changed(model);
  }

  @Override
  public void archive(String model, boolean archived, String actor, String from) {
    registry.archive(model, archived, actor, from);
    changed(model);
  }

  /** Deploys a trained job's ONNX model as the next registry version of {@code model}; returns the version. */
  @Override
  public String deploy(String model, Path onnx, Job job) {
    ObjectNode meta = JobJson.MAPPER.createObjectNode().put("job", job.id());
    meta.set("lineage", JobJson.MAPPER.valueToTree(job.lineage()));
    meta.set("evaluation", job.evaluation());
    VersionRecord v;
    try (InputStream in = Files.newInputStream(onnx)) {
      v = push(model, in, "trained", meta.toString(), "job:" + job.id(), "");
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot read the model of job " + job.id(), e);
    }
    changed(model);
    return Long.toString(v.version());
  }

  /** Serves what the registry now holds for {@code model} after a change made through another replica. */
  void follow(String model) {
    changed(model);
  }

  /** Serves what the registry now holds for {@code model}: loads new versions, drops deleted ones. */
  private void changed(String model) {
    Optional<VersionRecord> llm = registry.languageModels().stream().filter(v -> v.model().equals(model)).findFirst();
    if (llm.isPresent()) {
      serveLanguageModel.accept(llm.get());
      return;
    }
    if (registry.read(model).isPresent()) {
      core.publish(model);
    } else {
      core.poll(); // the model is gone from the registry: poll drops what no catalog holds
    }
  }
}
