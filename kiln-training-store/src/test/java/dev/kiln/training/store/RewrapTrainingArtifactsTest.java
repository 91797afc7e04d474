package dev.kiln.training.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.training.data.DatasetOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln master-key rotate|rewrap} covers training's artifacts: a dataset version and a job's checkpoint, sealed
 * under the old master key, read the same under the new one alone once the store is rewrapped.
 */
class RewrapTrainingArtifactsTest {
  @TempDir Path tmp;

  private static byte[] master(int seed) {
    byte[] master = new byte[32];
    Arrays.fill(master, (byte) seed);
    return master;
  }

  private ArtifactStore artifacts(byte[]... masters) {
    return ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.sealed(MasterKeys.of(List.of(masters))));
  }

  @Test
  void aDatasetAndACheckpointSealedUnderTheOldKeyReadUnderTheNewOneAfterRewrap() throws Exception {
    try (TestDatabase db = TestDatabase.create(Backend.SQLITE, tmp)) {
      ArtifactStore old = artifacts(master(1));
      String csv = "x,y\n1,3\n2,5\n3,7\n";
      new JdbcDatasetStore(db.open(), old, tmp.resolve("cache-1"))
          .add("line", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), DatasetOptions.csv("y"), "k");
      JdbcJobStore jobs = new JdbcJobStore(db.open(), old, tmp.resolve("work-1"));
      long id = jobs.create(JdbcJobStoreTest.REQUEST, "k").id();
      Path checkpoints = Files.createDirectories(jobs.directory(id).resolve("checkpoints"));
      Files.writeString(checkpoints.resolve("weights-1.params"), "weights one");
      Files.writeString(checkpoints.resolve("checkpoint.json"), "{\"epoch\":1}");
      jobs.publish(id, "checkpoints");
      jobs.close();
      List<String> sealed = old.keys();
      assertThat(sealed).hasSize(3); // the dataset, the weights, the state file

      // The new key alone cannot read them yet: they are sealed under the old one.
      assertThatThrownBy(
              () -> new JdbcDatasetStore(db.open(), artifacts(master(2)), tmp.resolve("cache-2")).get("line", 1))
          .hasMessageContaining("line");

      assertThat(artifacts(master(2), master(1)).rewrapAll()).isEqualTo(3);

      ArtifactStore rotated = artifacts(master(2));
      assertThat(rotated.keys()).isEqualTo(sealed);
      Path data = new JdbcDatasetStore(db.open(), rotated, tmp.resolve("cache-3")).get("line", 1).orElseThrow().data();
      assertThat(Files.readString(data)).isEqualTo(csv);
      JdbcJobStore restored = new JdbcJobStore(db.open(), rotated, tmp.resolve("work-3"));
      restored.restore(id);
      assertThat(restored.directory(id).resolve("checkpoints/weights-1.params")).hasContent("weights one");
      assertThat(restored.directory(id).resolve("checkpoints/checkpoint.json")).hasContent("{\"epoch\":1}");
    }
  }
}
