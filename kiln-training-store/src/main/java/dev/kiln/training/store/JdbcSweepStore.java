package dev.kiln.training.store;

import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import dev.kiln.training.sweep.Sweep;
import dev.kiln.training.sweep.SweepStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Sweeps as rows of the governance database ({@code sweeps}, migration V4), as {@link JdbcJobStore} keeps jobs: the
 * database draws ids, and an update is a read-modify-write holding the row's lock.
 */
public final class JdbcSweepStore implements SweepStore {
  /** The body of a row whose sweep is still being built: reserved, not yet a sweep. */
  private static final String PLACEHOLDER = "{}";

  private final Database db;
  private final String forUpdate;

  public JdbcSweepStore(Database db) {
    this.db = db;
    this.forUpdate = db.dialect() == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
  }

  /**
   * Reserves the id in a transaction of its own, then builds the sweep outside any: {@code make} queues the trials'
   * jobs, each in its own transaction, which on SQLite (one writer at a time) would wait forever behind one held here.
   * Until its body is written the reserved row is invisible ({@link #PLACEHOLDER}); if {@code make} fails it is gone.
   */
  @Override
  public Sweep create(LongFunction<Sweep> make) {
    long id =
        db.transaction(c -> {
          try (PreparedStatement ps =
                  c.prepareStatement("INSERT INTO sweeps (body) VALUES ('" + PLACEHOLDER + "') RETURNING id");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
    Sweep sweep;
    try {
      sweep = make.apply(id);
    } catch (RuntimeException e) {
      db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sweeps WHERE id = ?")) {
          ps.setLong(1, id);
          return ps.executeUpdate();
        }
      });
      throw e;
    }
    db.transaction(c -> {
      write(c, sweep);
      return null;
    });
    return sweep;
  }

  @Override
  public Optional<Sweep> get(long id) {
    return db.read(c -> select(c, id, ""));
  }

  @Override
  public List<Sweep> list() {
    return db.read(c -> {
      List<Sweep> sweeps = new ArrayList<>();
      try (PreparedStatement ps =
              c.prepareStatement("SELECT body FROM sweeps WHERE body <> '" + PLACEHOLDER + "' ORDER BY id DESC");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sweeps.add(Rows.read(rs.getString(1), Sweep.class));
        }
      }
      return sweeps;
    });
  }

  @Override
  public Optional<Sweep> update(long id, UnaryOperator<Sweep> change) {
    return db.transaction(c -> {
      Optional<Sweep> current = select(c, id, forUpdate);
      if (current.isPresent()) {
        Sweep next = change.apply(current.get());
        write(c, next);
        return Optional.of(next);
      }
      return current;
    });
  }

  private static Optional<Sweep> select(Connection c, long id, String lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT body FROM sweeps WHERE id = ? AND body <> '" + PLACEHOLDER + "'" + lock)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Rows.read(rs.getString(1), Sweep.class)) : Optional.empty();
      }
    }
  }

  private static void write(Connection c, Sweep sweep) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE sweeps SET created_by = ?, body = ? WHERE id = ?")) {
      ps.setString(1, sweep.createdBy());
      ps.setString(2, Rows.json(sweep));
      ps.setLong(3, sweep.id());
      ps.executeUpdate();
    }
  }
}
