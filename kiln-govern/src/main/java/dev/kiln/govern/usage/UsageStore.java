package dev.kiln.govern.usage;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/** Usage counters by key, model and day; replicas add their deltas, so the sums are the cluster's. */
public interface UsageStore {
  /** Adds each delta to its (key, model, day) row, creating rows as needed, in one transaction. */
  void add(Collection<UsageRow> deltas);

  /** Rows matching the filters (null: any), ordered by day, key, model. */
  List<UsageRow> query(String keyId, String model, LocalDate from, LocalDate to);
}
