package dev.kiln.training.sweep;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.kiln.core.error.KilnException;
import java.util.Arrays;
import java.util.Locale;

/** How a sweep picks its trials' settings from the space. */
public enum Strategy {
  /** Every combination of the listed values. */
  GRID,
  /** Each value drawn independently and uniformly (in its own scale) from the seeded generator. */
  RANDOM,
  /**
   * Latin hypercube: each axis cut into as many equal slices as there are trials, each slice used by exactly one trial,
   * the slices of different axes paired at random. Covers every axis evenly with few trials, where random sampling
   * clusters.
   */
  LATIN_HYPERCUBE;

  /** The request's name for it: {@code grid}, {@code random}, {@code latin_hypercube}. */
  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Strategy named(String name) {
    return Arrays.stream(values())
        .filter(s -> s.jsonName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> KilnException.invalid("strategy: '" + name + "' (expected one of: grid, random, latin_hypercube)"));
  }
}
