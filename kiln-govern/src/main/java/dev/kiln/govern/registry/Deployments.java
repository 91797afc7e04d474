package dev.kiln.govern.registry;

import java.io.InputStream;

/**
 * The registry changes that change what is served: "registry version → served". The registry API calls these (reads and
 * changes that serve nothing new go to {@link ModelRegistry} directly); the server implements them over its inference
 * core, so a version stays in the registry only while it can serve.
 *
 * <p>{@code actor} is who asks (a key's principal, {@code job:<id>}), {@code from} where from (an address, or empty);
 * both go into the audit log.
 */
public interface Deployments {
  /**
   * Stores {@code artifact} as the next version of {@code model}, then loads it. A version that does not load is undone
   * (no record, no artifact, no model when this push created it), audited as {@code failed} with the reason, and
   * refused with INVALID_ARGUMENT; what served under the name before keeps serving.
   *
   * @param source {@code uploaded} or {@code trained}
   * @param metadata a JSON object kept with the version (lineage, metrics); {@code {}} for none
   */
  VersionRecord push(String model, InputStream artifact, String source, String metadata, String actor, String from);

  /** Deletes one version and stops serving it. */
  void deleteVersion(String model, long version, String actor, String from);

  /** Deletes a model with every version, and stops serving it. */
  void deleteModel(String model, String actor, String from);

  /** Points {@code alias} at {@code version}, which serves from then on under {@code model@alias}. */
  void alias(String model, String alias, long version, String actor, String from);

  /** Archives or unarchives a model (an archived model takes no new versions). */
  void archive(String model, boolean archived, String actor, String from);
}
