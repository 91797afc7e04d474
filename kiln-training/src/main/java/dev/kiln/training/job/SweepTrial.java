package dev.kiln.training.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which sweep a job is a trial of, so a job read or listed alone says so ({@code "sweep": {"id": 3, "trial": 2,
 * "settings": {"learning_rate": 0.01}}}); jobs submitted on their own have none.
 *
 * @param id the sweep's id
 * @param trial the trial's number in it, from 1
 * @param settings the trial's value for each key of the sweep's space, as applied to its request
 */
public record SweepTrial(long id, int trial, Map<String, JsonNode> settings) {
  public SweepTrial {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings)); // in the space's order
  }
}
