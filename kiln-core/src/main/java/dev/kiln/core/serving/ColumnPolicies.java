package dev.kiln.core.serving;

import dev.kiln.core.engine.ModelArtifact;

/**
 * Decides, when a version loads, what its named columns go through before the model ({@link ColumnTransforms}): the
 * server supplies it (a trained model's dataset policy, with its key); the core applies it; engines never see it.
 */
@FunctionalInterface
public interface ColumnPolicies {
  /** None: every column is passed as sent. */
  ColumnPolicies NONE = artifact -> ColumnTransforms.NONE;

  /**
   * The transforms of one version.
   *
   * @throws RuntimeException when they cannot be decided (the key is unavailable): the version fails to load with the
   *     message, rather than serving raw values to a model that expects hashed ones
   */
  ColumnTransforms of(ModelArtifact artifact);
}
