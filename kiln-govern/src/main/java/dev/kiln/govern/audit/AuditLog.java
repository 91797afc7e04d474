package dev.kiln.govern.audit;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import java.time.Instant;
import java.util.List;

/** The audit log: appended to, never changed. */
public interface AuditLog {
  /** Appends {@code e} (its id is ignored); returns it with the id it was given. */
  AuditEvent append(AuditEvent e);

  /**
   * Entries newest first; every filter may be null.
   *
   * @param limit at most this many (1..10,000)
   */
  List<AuditEvent> query(String actor, String action, String targetPrefix, Instant from, Instant to, int limit);

  /**
   * One page of the entries, newest first, with how many pass the filters; every filter may be null.
   *
   * @param page at most 10,000 entries
   */
  Page<AuditEvent> query(String actor, String action, String targetPrefix, Instant from, Instant to, PageRequest page);
}
