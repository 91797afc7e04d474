package dev.kiln.core.repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Several catalogs as one: the registry and a model folder, say. A name found in more than one comes from the first
 * catalog that has it.
 */
public final class CompositeCatalog implements ModelCatalog {
  private final List<ModelCatalog> catalogs;

  public CompositeCatalog(List<ModelCatalog> catalogs) {
    this.catalogs = List.copyOf(catalogs);
  }

  @Override
  public List<String> names() {
    TreeSet<String> names = new TreeSet<>();
    catalogs.forEach(c -> names.addAll(c.names()));
    return new ArrayList<>(names);
  }

  @Override
  public Optional<ModelSource> read(String name) {
    for (ModelCatalog c : catalogs) {
      Optional<ModelSource> s = c.read(name);
      if (s.isPresent()) {
        return s;
      }
    }
    return Optional.empty();
  }
}
