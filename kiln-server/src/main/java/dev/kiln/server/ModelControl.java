package dev.kiln.server;

/** Who may change the set of served models after start. */
public enum ModelControl {
  /** Every model in the repository is loaded at start; the load/unload API is refused. */
  NONE,
  /** Models load at start and the repository load/unload API may load, reload and unload them. */
  EXPLICIT,
  /** Like EXPLICIT, and the repository is rescanned periodically for new models and versions. */
  POLL
}
