package dev.kiln.govern.store;

import java.sql.ResultSet;
import java.sql.Statement;

/** SQLite's plan for a query, one step per line: tests check that a listing uses its index and sorts nothing. */
public final class QueryPlan {
  private QueryPlan() {}

  public static String sqlite(Database database, String sql) {
    return database.read(c -> {
      StringBuilder plan = new StringBuilder();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
        while (rs.next()) {
          plan.append(rs.getString("detail")).append('\n');
        }
      }
      return plan.toString();
    });
  }
}
