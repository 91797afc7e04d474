package dev.kiln.core.paging;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list.
 *
 * @param items the page itself
 * @param total how many items the whole list (with the same filters) holds, this page's included
 */
public record Page<T>(List<T> items, long total) {
  public Page {
    items = List.copyOf(items);
    if (total < items.size()) {
      throw new IllegalArgumentException("total: " + total + " (expected: at least " + items.size() + ")");
    }
  }

  /** The same page with each item mapped. */
  public <R> Page<R> map(Function<? super T, ? extends R> f) {
    return new Page<>(items.stream().<R>map(f).toList(), total);
  }
}
