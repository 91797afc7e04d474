package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.job.JobJson;
import java.io.IOException;
import java.util.List;

/**
 * A sweep as submitted: a job request ({@code dataset}, {@code dataset_version}, {@code model}, {@code training},
 * {@code preparation}, as {@code POST /api/v1/jobs} takes) plus the sweep's own fields.
 *
 * @param base the job request part, which every trial starts from
 * @param strategy when the request names none: grid without {@code trials}, random with them
 * @param trials null for a grid (every combination)
 * @param patience early stopping patience given to trials whose spec sets no early stopping
 * @param minDelta early stopping's smallest improvement, with {@code patience}
 * @param document the whole request as sent, kept with the sweep
 */
public record SweepRequest(
    ObjectNode base,
    SearchSpace space,
    Strategy strategy,
    Integer trials,
    long seed,
    Objective objective,
    int patience,
    double minDelta,
    JsonNode document) {
  /** The most keys a space may have. */
  public static final int MAX_DIMENSIONS = 16;

  static final List<String> SWEEP_FIELDS =
      List.of("space", "strategy", "trials", "seed", "objective", "early_stopping");
  private static final List<String> JOB_FIELDS =
      List.of("dataset", "dataset_version", "model", "training", "preparation");

  public static SweepRequest read(byte[] body) {
    JsonNode root;
    try {
      root = JobJson.MAPPER.readTree(body);
    } catch (IOException e) {
      throw KilnException.invalid("the sweep request is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw KilnException.invalid("the sweep request must be a JSON object");
    }
    ObjectNode base = JobJson.MAPPER.createObjectNode();
    root.properties()
        .forEach(e -> {
          if (JOB_FIELDS.contains(e.getKey())) {
            base.set(e.getKey(), e.getValue());
          } else if (!SWEEP_FIELDS.contains(e.getKey())) {
            throw KilnException.invalid(
                "unknown field '"
                    + e.getKey()
                    + "' in the sweep request (known: "
                    + String.join(", ", JOB_FIELDS)
                    + ", "
                    + String.join(", ", SWEEP_FIELDS)
                    + ")");
          }
        });
    JsonNode strategy = present(root, "strategy");
    if (strategy != null && !strategy.isTextual()) {
      throw KilnException.invalid("strategy: expected grid, random or latin_hypercube, got " + strategy);
    }
    JsonNode trials = present(root, "trials");
    if (trials != null && !(trials.canConvertToExactIntegral() && trials.canConvertToInt())) {
      throw KilnException.invalid("trials: expected a whole number, got " + trials);
    }
    JsonNode seed = present(root, "seed");
    if (seed != null && !(seed.canConvertToExactIntegral() && seed.canConvertToLong())) {
      throw KilnException.invalid("seed: expected a whole number, got " + seed);
    }
    JsonNode stopping = present(root, "early_stopping");
    if (stopping != null
        && (!stopping.isObject()
            || !stopping.path("patience").isMissingNode() && !stopping.path("patience").canConvertToExactIntegral()
            || !stopping.path("min_delta").isMissingNode() && !stopping.path("min_delta").isNumber()
            || stopping.properties().stream().anyMatch(e -> !List.of("patience", "min_delta").contains(e.getKey())))) {
      throw KilnException.invalid("early_stopping: expected {\"patience\": N, \"min_delta\": X}, got " + stopping);
    }
    int patience = stopping == null ? 3 : stopping.path("patience").asInt(3);
    double minDelta = stopping == null ? 0.0 : stopping.path("min_delta").asDouble(0.0);
    if (patience < 1 || !(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw KilnException.invalid("early_stopping: patience must be >= 1 and min_delta >= 0, got " + stopping);
    }
    return new SweepRequest(
        base,
        SearchSpace.read(root.get("space"), MAX_DIMENSIONS),
        strategy == null ? (trials == null ? Strategy.GRID : Strategy.RANDOM) : Strategy.named(strategy.asText()),
        trials == null ? null : trials.asInt(),
        seed == null ? 42 : seed.asLong(),
        Objective.read(root.get("objective")),
        patience,
        minDelta,
        root);
  }

  /** The field's value; null when it is absent or JSON null (the default applies). */
  private static JsonNode present(JsonNode root, String field) {
    JsonNode v = root.get(field);
    return v == null || v.isNull() ? null : v;
  }
}
