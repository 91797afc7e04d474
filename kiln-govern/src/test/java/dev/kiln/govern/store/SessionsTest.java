package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.auth.Sessions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Browser sessions over a real database, as two replicas see it: started on one, honoured on the other; ended by
 * signing out, by the key's revocation or rotation, by expiry. Run on each database by {@link SqliteStoresTest} and
 * {@link PostgresqlStoresTest}.
 */
abstract class SessionsTest extends OnEachBackend {
  private static final Duration CACHE = Duration.ofMinutes(5);
  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-07T06:00:00Z"));
  private Database first;
  private ApiKeys keys;
  private Sessions sessions;
  private ApiKeys.Created key;

  SessionsTest(Backend backend) {
    super(backend);
  }

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
      now = start;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void start() {
    first = db.open();
    keys = new ApiKeys(new JdbcKeyStore(first), clock, CACHE);
    sessions = sessions(first, keys);
    key = keys.create("console", List.of(Scope.parse("invoke:a")), null, Map.of(), null, "test");
  }

  private Sessions sessions(Database on, ApiKeys k) {
    return new Sessions(new JdbcSessionStore(on), k, clock, Duration.ofHours(12), CACHE);
  }

  private static String refusal(Sessions s, String token) {
    KilnException e = catchThrowableOfType(KilnException.class, () -> s.authenticate(token));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
    return e.getMessage();
  }

  @Test
  void aSessionStandsForItsKeyOnEveryReplicaAndOnlyItsHashIsStored() {
    Sessions.Started s = sessions.start(key.key());
    assertThat(s.session().expires()).isEqualTo(clock.instant().plus(Duration.ofHours(12)));
    assertThat(sessions.authenticate(s.token()).id()).isEqualTo(key.key().id());

    Database second = db.open(); // another replica, or this one after a restart
    Sessions elsewhere = sessions(second, new ApiKeys(new JdbcKeyStore(second), clock, CACHE));
    assertThat(elsewhere.authenticate(s.token()).id()).isEqualTo(key.key().id());

    List<String> cells = new ArrayList<>();
    second.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT token_hash, key_id FROM sessions");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cells.add(rs.getString(1));
          cells.add(rs.getString(2));
        }
        return null;
      }
    });
    assertThat(cells).hasSize(2).noneMatch(v -> v.contains(s.token()));
  }

  @Test
  void signingOutEndsTheSessionHereAndOnAnotherReplicaAfterTheFeed() {
    Sessions.Started s = sessions.start(key.key());
    Database second = db.open();
    Sessions elsewhere = sessions(second, new ApiKeys(new JdbcKeyStore(second), clock, CACHE));
    elsewhere.authenticate(s.token()); // cached there now

    assertThat(sessions.end(s.token())).isTrue();
    assertThat(sessions.end(s.token())).isFalse();
    assertThat(refusal(sessions, s.token())).contains("the session ended at");
    elsewhere.forget(key.key().id()); // what the change feed calls there
    assertThat(refusal(elsewhere, s.token())).contains("the session ended at");
  }

  @Test
  void rotatingOrRevokingTheKeyEndsItsSessionsAtOnce() {
    Sessions.Started s = sessions.start(key.key());
    sessions.authenticate(s.token()); // cached

    keys.rotate(key.key().id());
    assertThat(refusal(sessions, s.token())).contains("rotated");

    Sessions.Started again = sessions.start(keys.find(key.key().id()).orElseThrow());
    sessions.authenticate(again.token());
    keys.revoke(key.key().id());
    assertThat(refusal(sessions, again.token())).contains("was revoked");
    assertThatThrownBy(() -> sessions.start(keys.find(key.key().id()).orElseThrow())).isInstanceOf(KilnException.class);
  }

  @Test
  void anExpiredSessionIsRefusedAndLaterDeleted() {
    Sessions.Started s = sessions.start(key.key());
    clock.now = clock.now.plus(Duration.ofHours(12));
    assertThat(refusal(sessions, s.token())).contains("the session expired at");

    clock.now = clock.now.plusMillis(1);
    sessions.start(key.key()); // deletes the one that expired before now
    Sessions fresh = sessions(first, keys);
    assertThat(refusal(fresh, s.token())).contains("unknown session");
  }

  @Test
  void unknownAndMalformedTokensAreRefused() {
    assertThat(refusal(sessions, "A".repeat(43))).contains("unknown session");
    assertThat(refusal(sessions, "short")).contains("malformed");
    assertThat(refusal(sessions, null)).contains("malformed");
  }
}
