package dev.kiln.core.oip;

import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.explain.ExplainRequest;
import dev.kiln.core.explain.Explainer;
import dev.kiln.core.explain.Explanation;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.core.serving.Statistics;
import dev.kiln.core.serving.Target;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Runs each {@link OipOperation} on the inference core and answers with the views adapters render, so REST and gRPC
 * give the same answer to the same question. Adapters decode requests into {@link ModelRef}s and encode what comes
 * back; the rules in between live here.
 */
public final class OipRulebook {
  private final InferenceCore core;

  public OipRulebook(InferenceCore core) {
    this.core = Objects.requireNonNull(core, "core");
  }

  public boolean live() {
    return core.live();
  }

  public boolean ready() {
    return core.ready();
  }

  /**
   * @param protocolExtensions extensions only the answering protocol implements (REST's {@code binary_tensor_data}),
   *     listed before the ones every protocol implements
   */
  public ServerMetadata serverMetadata(List<String> protocolExtensions) {
    List<String> extensions = new ArrayList<>(protocolExtensions);
    extensions.addAll(ServerIdentity.EXTENSIONS);
    return new ServerMetadata(ServerIdentity.NAME, ServerIdentity.VERSION, extensions);
  }

  /**
   * Whether the model (or that version) can serve now: false for a known model or version that is loading, failed or
   * unloaded.
   *
   * @throws KilnException NOT_FOUND for a model, version or alias that does not exist (REST 404, gRPC NOT_FOUND), as
   *     every other model operation answers
   */
  public boolean modelReady(ModelRef ref) {
    Target target;
    try {
      target = target(ref);
      core.metadata(target);
    } catch (KilnException e) {
      if (e.kind() == ErrorKind.NOT_FOUND || e.kind() == ErrorKind.INVALID_ARGUMENT) {
        throw e;
      }
      return false; // known, with no ready version: UNAVAILABLE from metadata
    }
    return core.modelReady(target);
  }

  /** The model's metadata: every ready version and the highest one's signature, or the one version asked for. */
  public ModelMetadata metadata(ModelRef ref) {
    return core.metadata(target(ref));
  }

  /** The configuration, with the signature of the version the reference resolves to (NOT_FOUND when none). */
  public ModelConfigView config(ModelRef ref) {
    ModelMetadata m = core.metadata(target(ref));
    return ModelConfigView.of(core.config(ref.name()), m);
  }

  /** Statistics of every loaded version of the model, or of the one version (or alias) the reference names. */
  public List<Statistics> statistics(ModelRef ref) {
    return core.statistics(target(ref));
  }

  /** Statistics of every loaded version of every model ({@link OipOperation#ALL_STATISTICS}). */
  public List<Statistics> allStatistics() {
    return core.statistics();
  }

  /**
   * Runs one request; failures complete the future with a {@link KilnException}. Inputs may be the model's own or, for
   * a model that names its columns, one per column ({@code [N]} or {@code [N, 1]}): the core assembles those into the
   * model's inputs in declared column order, for every protocol alike.
   */
  public CompletableFuture<InferenceResponse> infer(ModelRef ref, InferenceRequest request) {
    return core.infer(target(ref), request);
  }

  /** Explains one prediction (Kiln's extension); slow, so adapters call it off their network threads. */
  public Explanation explain(Explainer explainer, ModelRef ref, ExplainRequest request) {
    return explainer.explain(target(ref), request);
  }

  /** The core's target for a reference: the alias resolved, the version parsed (NOT_FOUND when not a number). */
  private Target target(ModelRef ref) {
    return core.target(ref.coreRef(), ref.version());
  }

  /** The repository index as {@code grants} may see it: the models the caller may call or change. */
  public List<RepositoryEntry> index(boolean readyOnly, Grants grants) {
    return core.index(readyOnly).stream().filter(e -> grants.sees(e.name())).toList();
  }

  /** The names of the ready models the caller may call or change. */
  public List<String> readyModels(Grants grants) {
    return core.readyModels().stream().filter(grants::sees).toList();
  }

  /**
   * (Re)loads a model from the repository; may take seconds, so adapters call it off their network threads.
   *
   * @param parameters the names of the parameters the request carries, checked by {@link LoadParameters}
   */
  public void load(String model, Collection<String> parameters) {
    LoadParameters.check(parameters);
    core.load(model);
  }

  /** Unloads a model after its in-flight requests finish; parameters as for {@link #load}. */
  public void unload(String model, Collection<String> parameters) {
    LoadParameters.check(parameters);
    core.unload(model);
  }
}
