package dev.kiln.govern.registry;

import dev.kiln.govern.crypto.ArtifactStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What interrupted pushes leave behind ({@link ModelRegistry#cleanUp}): versions still PENDING, files in the store's
 * {@code tmp}, and artifacts no version (and no dataset) points to. Only leftovers older than the grace period are
 * removed, since younger ones may be uploads in progress on another replica.
 */
final class UploadLeftovers {
  private final RegistryStore store;
  private final ArtifactStore artifacts;

  UploadLeftovers(RegistryStore store, ArtifactStore artifacts) {
    this.store = store;
    this.artifacts = artifacts;
  }

  /**
   * Removes pending versions reserved before {@code before} and orphaned artifacts older than {@code grace}: those no
   * version points to and the store does not report as held elsewhere.
   */
  int remove(Instant before, Duration grace) {
    int removed = 0;
    for (VersionRecord p : store.stalePending(before)) {
      store.deleteVersion(p.model(), p.version());
      removed++;
    }
    Set<String> referenced = new HashSet<>(store.artifactsHeldElsewhere());
    for (ModelRecord m : store.models()) {
      store
          .versions(m.name())
          .forEach(v -> {
            if (v.artifact() != null) {
              referenced.add(v.artifact());
            }
          });
    }
    artifacts.cleanTmp(grace);
    for (String key : artifacts.keys()) {
      if (!referenced.contains(key) && artifacts.age(key).compareTo(grace) > 0) {
        artifacts.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
