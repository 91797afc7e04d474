package dev.kiln.core.access;

/** What a route or RPC requires of its caller. */
public enum Permission {
  /** Health probes: served without a key even when auth is on. */
  OPEN,
  /** Any valid key (server metadata, the model list). */
  AUTHENTICATED,
  /** Calling a model: inference, its metadata, readiness, config, statistics. */
  INVOKE,
  /** Changing what is served: repository load/unload, registry pushes, aliases, deletes. */
  MANAGE,
  /** Datasets and training jobs. */
  TRAIN,
  /**
   * Reading one dataset (its metadata, bytes or rows), named where a model would be: a key that may train (whose
   * handler then checks it owns the dataset) or holds a dataset scope on that name.
   */
  DATASET,
  /** Keys, the audit log, usage of every key, metrics. */
  ADMIN
}
