package dev.kiln.core.model;

/** Lifecycle of one model version; names match Triton's repository index states. */
public enum ModelState {
  LOADING,
  READY,
  UNLOADING,
  UNAVAILABLE
}
