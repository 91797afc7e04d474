package dev.kiln.core.serving;

import dev.kiln.core.model.ModelState;

/** One row of the repository index: a model version and its state, with the reason when it is not ready. */
public record RepositoryEntry(String name, String version, ModelState state, String reason) {}
