package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Turns a space into each trial's settings, deterministically: the same space, strategy, count and seed always give the
 * same trials in the same order, so a sweep can be repeated exactly.
 */
final class TrialGenerator {
  private TrialGenerator() {}

  /**
   * @param trials how many trials random and Latin-hypercube sampling draw; must be null for a grid, which takes every
   *     combination
   * @param maxTrials the most trials a sweep may have
   * @return each trial's value for each key, keys in the space's order
   */
  static List<Map<String, JsonNode>> generate(
      SearchSpace space, Strategy strategy, Integer trials, long seed, int maxTrials) {
    if (strategy == Strategy.GRID) {
      if (trials != null) {
        throw KilnException.invalid("trials: not used by grid, which runs every combination of the values");
      }
      return grid(space, maxTrials);
    }
    if (trials == null || trials < 1 || trials > maxTrials) {
      throw KilnException.invalid(
          "trials: " + strategy.jsonName() + " needs a number of trials from 1 to " + maxTrials + ", got " + trials);
    }
    Random random = new Random(seed);
    List<String> keys = List.copyOf(space.dimensions().keySet());
    double[][] u = new double[trials][keys.size()];
    for (int d = 0; d < keys.size(); d++) {
      int[] strata = strategy == Strategy.LATIN_HYPERCUBE ? permutation(trials, random) : null;
      for (int t = 0; t < trials; t++) {
        // LHS: trial t takes stratum strata[t] of this axis, at a random point inside it.
        u[t][d] = strata == null ? random.nextDouble() : (strata[t] + random.nextDouble()) / trials;
      }
    }
    List<Map<String, JsonNode>> out = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      Map<String, JsonNode> settings = new LinkedHashMap<>();
      for (int d = 0; d < keys.size(); d++) {
        settings.put(keys.get(d), space.dimensions().get(keys.get(d)).at(u[t][d]));
      }
      out.add(settings);
    }
    return out;
  }

  private static List<Map<String, JsonNode>> grid(SearchSpace space, int maxTrials) {
    long count = 1;
    for (Map.Entry<String, Dimension> e : space.dimensions().entrySet()) {
      List<JsonNode> values =
          e.getValue()
              .grid()
              .orElseThrow(() ->
                  KilnException.invalid(
                      "space."
                          + e.getKey()
                          + ": grid needs {\"values\": [...]}; ranges are for random and"
                          + " latin_hypercube"));
      count *= values.size();
      if (count > maxTrials) {
        throw KilnException.invalid(
            "space: the grid has more than " + maxTrials + " combinations (at most " + maxTrials + " trials)");
      }
    }
    List<Map<String, JsonNode>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    // The last key varies fastest, as nested loops written in the space's order would.
    for (Map.Entry<String, Dimension> e : space.dimensions().entrySet()) {
      List<Map<String, JsonNode>> next = new ArrayList<>();
      for (Map<String, JsonNode> partial : out) {
        for (JsonNode v : e.getValue().grid().orElseThrow()) {
          Map<String, JsonNode> m = new LinkedHashMap<>(partial);
          m.put(e.getKey(), v);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }

  /** A seeded Fisher-Yates shuffle of 0..n-1. */
  private static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}
