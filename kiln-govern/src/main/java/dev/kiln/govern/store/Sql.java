package dev.kiln.govern.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on one connection; {@link Database} supplies the connection and owns its transaction. */
@FunctionalInterface
public interface Sql<T> {
  T run(Connection c) throws SQLException;
}
