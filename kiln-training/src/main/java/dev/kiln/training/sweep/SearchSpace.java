package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sweep's {@code space}: for each key (a dotted path into the job request or an alias, see {@link TrialPaths}) the
 * {@link Dimension} its values come from, in the order the request lists them.
 */
public record SearchSpace(Map<String, Dimension> dimensions) {
  public SearchSpace {
    dimensions = Collections.unmodifiableMap(new LinkedHashMap<>(dimensions));
  }

  static SearchSpace read(JsonNode node, int maxDimensions) {
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw KilnException.invalid(
          "space: expected an object of keys to values, e.g. {\"learning_rate\": {\"log_uniform\": [0.0001, 0.1]}}");
    }
    if (node.size() > maxDimensions) {
      throw KilnException.invalid("space: " + node.size() + " keys (at most " + maxDimensions + ")");
    }
    Map<String, Dimension> dims = new LinkedHashMap<>();
    node.properties()
        .forEach(e -> {
          TrialPaths.checkKey(e.getKey());
          dims.put(e.getKey(), Dimension.read(e.getKey(), e.getValue()));
        });
    return new SearchSpace(dims);
  }
}
