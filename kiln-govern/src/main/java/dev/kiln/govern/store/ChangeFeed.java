package dev.kiln.govern.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;

/**
 * This process's reader of the change feed: every {@code interval} it reads the rows committed since the last it saw
 * and hands each to the listeners, in order, on its one thread. On PostgreSQL it also LISTENs, so a change wakes it
 * within milliseconds of the commit; when that connection drops it goes on polling and listens again when it can. The
 * table is read every time it wakes, so a lost notification delays a change by one interval at most.
 *
 * <p>It starts after the newest row present when it is made: what was committed before is what the process read at
 * start. Rows older than {@code keep} are pruned by whichever replica gets there.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ChangeFeed.class.getName());
  private static final Duration KEEP = Duration.ofMinutes(10);
  private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

  private final Database db;
  private final Duration interval;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean closed;
  private long last;
  private long nextPrune;
  private Connection listening; // PostgreSQL only; null while not listening
  private boolean failing;

  private ChangeFeed(Database db, Duration interval) {
    this.db = db;
    this.interval = interval;
    this.last = db.read(c -> newest(c));
    this.nextPrune = System.nanoTime();
    this.thread = Thread.ofPlatform().daemon().name("kiln-change-feed").unstarted(this::run);
  }

  /** A feed over {@code db} from its newest row on, polling every {@code interval}; add listeners, then start it. */
  public static ChangeFeed of(Database db, Duration interval) {
    Objects.requireNonNull(db, "db");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive");
    }
    return new ChangeFeed(db, interval);
  }

  /** Calls {@code listener} with every change from now on, on the feed's thread; it must not block long. */
  public ChangeFeed listen(Consumer<Change> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  public ChangeFeed start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      follow();
    } finally {
      dropListening();
    }
  }

  private void follow() {
    while (!closed) {
      try {
        awaitNews();
        if (closed) {
          return;
        }
        poll();
        prune();
        failing = false;
      } catch (RuntimeException | SQLException e) {
        if (closed) {
          return; // the database closed under a wait
        }
        if (!failing) { // once per outage, not every interval
          LOG.log(Level.WARNING, "change feed: cannot read changes, retrying every " + interval, e);
        }
        failing = true;
        dropListening();
        sleep();
      }
    }
  }

  /** Waits up to one interval, or until a notification on PostgreSQL. */
  private void awaitNews() throws SQLException {
    if (db.dialect() != Dialect.POSTGRESQL) {
      sleep();
      return;
    }
    if (listening == null) {
      listening = db.connection();
      try (Statement s = listening.createStatement()) {
        s.execute("LISTEN " + Changes.CHANNEL);
      }
    }
    listening.unwrap(PGConnection.class).getNotifications((int) Math.max(1, interval.toMillis()));
  }

  /** Reads and dispatches what was committed since the last row seen. */
  void poll() {
    List<Change> news = db.read(c -> after(c, last));
    for (Change change : news) {
      last = change.seq();
      for (Consumer<Change> listener : listeners) {
        try {
          listener.accept(change);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "change feed: a listener failed on " + change, e);
        }
      }
    }
  }

  private List<Change> after(Connection c, long seq) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT seq, kind, subject, origin FROM changes WHERE seq > ? ORDER BY seq")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        List<Change> changes = new ArrayList<>();
        while (rs.next()) {
          Change.Kind kind;
          try {
            kind = Change.Kind.valueOf(rs.getString("kind"));
          } catch (IllegalArgumentException newer) {
            continue; // written by a newer Kiln: nothing this one knows how to follow
          }
          boolean local = db.origin().equals(rs.getString("origin"));
          changes.add(new Change(rs.getLong("seq"), kind, rs.getString("subject"), local));
        }
        return changes;
      }
    }
  }

  private static long newest(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM changes")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void prune() {
    long now = System.nanoTime();
    if (now - nextPrune < 0) {
      return;
    }
    nextPrune = now + PRUNE_EVERY.toNanos();
    Instant before = Instant.now().minus(KEEP);
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM changes WHERE at < ?")) {
        db.dialect().setInstant(ps, 1, before);
        return ps.executeUpdate();
      }
    });
  }

  private void sleep() {
    try {
      Thread.sleep(interval);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  private void dropListening() {
    if (listening != null) {
      try {
        listening.close();
      } catch (SQLException ignored) {
        // the connection is gone already; the next wait opens another
      }
      listening = null;
    }
  }

  /**
   * Stops the feed; waits up to a second for a dispatch in progress. A thread still waiting on a notification then ends
   * by itself within one interval, or when the database closes under it.
   */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
