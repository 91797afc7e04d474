package dev.kiln.govern.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Models, versions and aliases as stored. */
public interface RegistryStore {
  /** Creates the model if absent; returns it. */
  ModelRecord ensureModel(String name, String createdBy, Instant at);

  Optional<ModelRecord> model(String name);

  List<ModelRecord> models();

  /** The models whose name contains {@code text}, ignoring case (every model when empty), by name. */
  List<ModelSummary> summaries(String text);

  void setCard(String name, String card);

  void setArchived(String name, boolean archived);

  /** Reserves the next version number of {@code model} as PENDING (atomic across replicas). */
  VersionRecord reserveVersion(String model, String format, String source, String createdBy, Instant at);

  /** PENDING → PUBLISHED with its artifact; false if the version is not pending. */
  boolean publish(String model, long version, String artifact, String sha256, long size, String metadata);

  Optional<VersionRecord> version(String model, long version);

  /** Every version of a model, oldest first. */
  List<VersionRecord> versions(String model);

  /** Every published version of every non-archived model (what serving should load). */
  List<VersionRecord> published();

  void setVersionState(String model, long version, VersionRecord.State state);

  /** Removes a version record (its file is the caller's to delete). */
  boolean deleteVersion(String model, long version);

  /** Removes a model, its versions and aliases. */
  boolean deleteModel(String name);

  /** PENDING versions reserved before {@code before}: uploads whose writer died. */
  List<VersionRecord> stalePending(Instant before);

  /** Points {@code alias} of {@code model} at {@code version} (creating or moving it). */
  void setAlias(String model, String alias, long version);

  boolean deleteAlias(String model, String alias);

  /** alias → version. */
  Map<String, Long> aliases(String model);

  /**
   * Artifact keys that rows outside the registry point at (training's datasets, job files and dataset keys share the
   * artifact store): clean-up must not take them for leftovers of interrupted pushes.
   */
  default Set<String> artifactsHeldElsewhere() {
    return Set.of();
  }
}
