package dev.kiln.core.repository;

import java.util.List;
import java.util.Optional;

/** Where the core finds models: a folder ({@link ModelRepository}), the registry, or several of them. */
public interface ModelCatalog {
  /** Every model name, sorted. */
  List<String> names();

  /** One model, or empty when the catalog has no such model. */
  Optional<ModelSource> read(String name);
}
