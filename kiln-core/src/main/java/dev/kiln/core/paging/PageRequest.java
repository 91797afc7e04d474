package dev.kiln.core.paging;

import java.util.List;

/**
 * Which slice of a list a caller wants: at most {@code limit} items after skipping {@code offset}, in the list's own
 * order.
 *
 * @param limit at least 1; {@link Integer#MAX_VALUE} for everything
 * @param offset at least 0
 */
public record PageRequest(int limit, int offset) {
  /** Everything: what a caller that names no page gets from the lists that answer whole. */
  public static final PageRequest ALL = new PageRequest(Integer.MAX_VALUE, 0);

  public PageRequest {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: at least 1)");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset: " + offset + " (expected: at least 0)");
    }
  }

  /** The page of {@code all} (a list already filtered and sorted), with its total. */
  public <T> Page<T> of(List<T> all) {
    int from = Math.min(offset, all.size());
    int to = (int) Math.min((long) from + limit, all.size());
    return new Page<>(all.subList(from, to), all.size());
  }
}
