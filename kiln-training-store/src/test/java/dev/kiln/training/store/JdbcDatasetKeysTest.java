package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dataset keys in the database and the encrypted artifact store, on SQLite and PostgreSQL. */
class JdbcDatasetKeysTest {
  @TempDir Path tmp;

  private static byte[] master(int seed) {
    byte[] master = new byte[32];
    Arrays.fill(master, (byte) seed);
    return master;
  }

  private ArtifactStore artifacts(byte[]... masters) {
    return ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.sealed(MasterKeys.of(List.of(masters))));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void replicasRacingForANewNameEndWithOneSealedKey(Backend backend) throws Exception {
    try (TestDatabase test = TestDatabase.create(backend, tmp)) {
      ArtifactStore store = artifacts(master(1));
      Set<String> seen = ConcurrentHashMap.newKeySet();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> replicas = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        // Each its own database opening and key cache, as separate replicas have.
        JdbcDatasetKeys keys = new JdbcDatasetKeys(test.open(), store, Clock.systemUTC());
        replicas.add(
            Thread.ofPlatform()
                .start(() -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  seen.add(HexFormat.of().formatHex(keys.hashKey("people")));
                }));
      }
      go.countDown();
      for (Thread t : replicas) {
        t.join();
      }
      assertThat(seen).hasSize(1);
      Database db = test.open();
      assertThat(JdbcDatasetKeys.artifacts(db)).hasSize(1);
      // The losers removed their artifacts: only the winner's key is stored, and never in the clear.
      assertThat(store.keys()).containsExactlyElementsOf(JdbcDatasetKeys.artifacts(db));
      byte[] key = HexFormat.of().parseHex(seen.iterator().next());
      try (Stream<Path> files = Files.walk(tmp.resolve("artifacts"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(indexOf(Files.readAllBytes(f), key)).as(f.toString()).isNegative();
        }
      }
      // A restarted replica reads the same key; another name gets another.
      JdbcDatasetKeys restarted = new JdbcDatasetKeys(test.open(), store, Clock.systemUTC());
      assertThat(restarted.hashKey("people")).isEqualTo(key);
      assertThat(restarted.hashKey("others")).isNotEqualTo(key).hasSize(32);
      assertThat(JdbcDatasetKeys.artifacts(db)).hasSize(2);
      // kiln master-key rotate: rewrapped under the new master key, the keys read the same without the old one.
      assertThat(artifacts(master(2), master(1)).rewrapAll()).isEqualTo(2);
      JdbcDatasetKeys rotated = new JdbcDatasetKeys(test.open(), artifacts(master(2)), Clock.systemUTC());
      assertThat(rotated.hashKey("people")).isEqualTo(key);
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
