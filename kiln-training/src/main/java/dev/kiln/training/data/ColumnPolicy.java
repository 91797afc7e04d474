package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an upload does to a CSV's personal-data columns before anything is stored ({@link PolicyCsv}): {@code drop}ped
 * columns are left out, {@code hash}ed ones replaced by the hex HMAC-SHA256 of the value under the dataset name's key
 * ({@link DatasetKeys}), so equal values still group and every version of the name hashes alike, and {@code mask}ed
 * ones cut to their first N characters. Values are stripped first; missing values ({@code "", NA, NaN, ?}) stay as they
 * are, so they are still missing. Recorded in the version's manifest (the key never is) and in the lineage of models
 * trained on it.
 *
 * @param drop columns left out of the stored data
 * @param hash columns stored as keyed hashes
 * @param mask columns stored as their first N characters, by name
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ColumnPolicy(List<String> drop, List<String> hash, Map<String, Integer> mask) {
  /** The most characters a mask keeps. */
  public static final int MAX_MASK = 1000;

  public ColumnPolicy {
    drop = drop == null ? List.of() : List.copyOf(drop);
    hash = hash == null ? List.of() : List.copyOf(hash);
    mask = mask == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(mask));
    Set<String> seen = new LinkedHashSet<>();
    for (String c : columns(drop, hash, mask)) {
      if (c.isBlank()) {
        throw new DatasetException("policy: an empty column name");
      }
      if (!seen.add(c)) {
        throw new DatasetException("policy: column '" + c + "' is named twice (drop, hash and mask are exclusive)");
      }
    }
    mask.forEach((c, n) -> {
      if (n == null || n < 1 || n > MAX_MASK) {
        throw new DatasetException(
            "mask: column '" + c + "' keeps " + n + " characters (expected: 1 to " + MAX_MASK + ")");
      }
    });
  }

  public static ColumnPolicy none() {
    return new ColumnPolicy(List.of(), List.of(), Map.of());
  }

  /**
   * A policy from query or flag values: each entry is one name or a comma-separated list; a mask entry is {@code
   * column:N} (the last colon separates N, so a name may hold colons; names cannot hold commas here).
   */
  public static ColumnPolicy parse(List<String> drop, List<String> hash, List<String> mask) {
    Map<String, Integer> masks = new TreeMap<>();
    for (String m : split(mask)) {
      int colon = m.lastIndexOf(':');
      String column = colon < 0 ? m : m.substring(0, colon);
      if (colon < 0 || !m.substring(colon + 1).matches("[0-9]{1,4}")) {
        throw new DatasetException("mask: '" + m + "' (expected: column:N, N the characters kept)");
      }
      if (masks.put(column, Integer.parseInt(m.substring(colon + 1))) != null) {
        throw new DatasetException(
            "policy: column '" + column + "' is named twice (drop, hash and mask are exclusive)");
      }
    }
    return new ColumnPolicy(split(drop), split(hash), masks);
  }

  private static List<String> split(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        out.add(part.strip());
      }
    }
    return out;
  }

  @JsonIgnore
  public boolean isEmpty() {
    return drop.isEmpty() && hash.isEmpty() && mask.isEmpty();
  }

  /** Every column the policy names: dropped, hashed, then masked. */
  @JsonIgnore
  public List<String> columns() {
    return columns(drop, hash, mask);
  }

  private static List<String> columns(List<String> drop, List<String> hash, Map<String, Integer> mask) {
    List<String> all = new ArrayList<>(drop);
    all.addAll(hash);
    all.addAll(mask.keySet());
    return all;
  }
}
