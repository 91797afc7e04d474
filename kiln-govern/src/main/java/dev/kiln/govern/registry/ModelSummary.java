package dev.kiln.govern.registry;

import java.time.Instant;
import java.util.Map;

/**
 * A model as a listing shows it: its record's fields, and what a list page shows of its versions without reading them.
 *
 * @param versionCount published and archived versions (uploads in progress are not versions yet)
 * @param latestVersion the newest published version; null when none is published
 * @param aliases alias to version, by alias
 * @param updated when its newest version was pushed, else when the model was created
 */
public record ModelSummary(
    String name,
    String card,
    Instant created,
    String createdBy,
    boolean archived,
    long versionCount,
    Long latestVersion,
    Map<String, Long> aliases,
    Instant updated) {
  public ModelSummary {
    aliases = Map.copyOf(aliases);
  }
}
