package dev.kiln.core.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The recent traffic one replica served, oldest point first.
 *
 * @param interval how often points are taken
 * @param span how far back points are kept
 * @param total the models shown, added up per interval
 * @param models each model shown, by name
 */
public record TrafficWindow(
    Duration interval, Duration span, List<TrafficPoint> total, Map<String, List<TrafficPoint>> models) {
  public TrafficWindow {
    total = List.copyOf(total);
    models = Collections.unmodifiableMap(new TreeMap<>(models)); // by name, for a stable answer
  }
}
