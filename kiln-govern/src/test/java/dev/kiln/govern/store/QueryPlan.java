package dev.kiln.govern.store;

import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A query's plan on either database, one step per line: tests check that a listing walks its index and sorts nothing.
 * PostgreSQL plans with sequential and bitmap scans off, as it would plan a page of a large table (on a test's few rows
 * reading them all and sorting is cheaper, so its planner would otherwise not show what the index is for).
 */
public final class QueryPlan {
  private QueryPlan() {}

  public static String of(Database database, String sql) {
    boolean postgresql = database.dialect() == Dialect.POSTGRESQL;
    return database.transaction(c -> {
      StringBuilder plan = new StringBuilder();
      try (Statement s = c.createStatement()) {
        if (postgresql) {
          s.execute("SET LOCAL enable_seqscan = off");
          s.execute("SET LOCAL enable_bitmapscan = off");
        }
        try (ResultSet rs = s.executeQuery((postgresql ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql)) {
          while (rs.next()) {
            plan.append(rs.getString(postgresql ? 1 : 4)).append('\n');
          }
        }
      }
      return plan.toString();
    });
  }

  /** Whether the plan sorts the matching rows (SQLite's temporary B-tree, PostgreSQL's Sort node). */
  public static boolean sorts(String plan) {
    return plan.contains("TEMP B-TREE") || plan.matches("(?s).*\\bSort\\b.*");
  }
}
