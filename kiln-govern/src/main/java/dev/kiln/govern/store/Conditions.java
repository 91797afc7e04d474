package dev.kiln.govern.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A WHERE clause built from optional filters: a filter whose value is null is left out. Public for the other stores on
 * the governance database (jobs).
 */
public final class Conditions {
  public interface Binder {
    void bind(PreparedStatement ps, int index) throws SQLException;
  }

  private final List<String> clauses = new ArrayList<>();
  private final List<Binder> binders = new ArrayList<>();

  /** Adds {@code clause} (with one {@code ?}) when {@code value} is not null. */
  public Conditions add(Object value, String clause, Binder binder) {
    if (value != null) {
      clauses.add(clause);
      binders.add(binder);
    }
    return this;
  }

  public String where() {
    return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
  }

  /** Binds every present filter from parameter 1; returns the next free parameter index. */
  public int bind(PreparedStatement ps) throws SQLException {
    for (int i = 0; i < binders.size(); i++) {
      binders.get(i).bind(ps, i + 1);
    }
    return binders.size() + 1;
  }
}
