package dev.kiln.core.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How many models are in each state, a model counted once by its best version: {@code ready} with a ready version; else
 * {@code loading} with one loading (or draining); else {@code failed} when a version or the model failed to load (the
 * repository index gives the reason); else {@code unavailable} (not loaded, or unloaded by request).
 */
public record ModelCounts(int ready, int loading, int failed, int unavailable) {
  private static final Set<String> NOT_FAILURES = Set.of("", "not loaded", "unloaded", "draining");

  /** The counts over {@link InferenceCore#index}'s rows of the models {@code shown} lets through. */
  public static ModelCounts of(List<RepositoryEntry> index, Predicate<String> shown) {
    Map<String, Integer> best = new LinkedHashMap<>();
    for (RepositoryEntry e : index) {
      if (shown.test(e.name())) {
        best.merge(e.name(), rank(e), Math::min);
      }
    }
    int[] counts = new int[4];
    best.values().forEach(r -> counts[r]++);
    return new ModelCounts(counts[0], counts[1], counts[2], counts[3]);
  }

  private static int rank(RepositoryEntry e) {
    return switch (e.state()) {
      case READY -> 0;
      case LOADING, UNLOADING -> 1;
      case UNAVAILABLE -> NOT_FAILURES.contains(e.reason()) ? 3 : 2;
    };
  }
}
