package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sweep as stored: what was asked and which job runs each trial. Nothing that changes while the trials run is kept
 * here; {@link SweepView} derives state, objectives and the best trial from the jobs.
 *
 * @param request the request as submitted
 * @param createdBy the key that submitted it; only that key and admins see or act on it
 * @param cancelled when it was cancelled; null if it was not
 */
public record Sweep(
    long id,
    JsonNode request,
    Strategy strategy,
    long seed,
    Objective objective,
    List<Trial> trials,
    Instant created,
    String createdBy,
    Instant cancelled) {
  public Sweep {
    trials = List.copyOf(trials);
  }

  /**
   * @param number from 1, in generation order
   * @param job the training job that runs it
   * @param settings its value for each space key
   */
  public record Trial(int number, long job, Map<String, JsonNode> settings) {}

  Sweep cancelledAt(Instant at) {
    return new Sweep(
        id, request, strategy, seed, objective, trials, created, createdBy, cancelled == null ? at : cancelled);
  }
}
