package dev.kiln.govern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GovernanceStoresTest {
  @TempDir Path tmp;

  @Test
  void theDefaultIsOneSqliteFileInTheDataFolder() {
    Path data = tmp.resolve("data");
    try (GovernanceStores stores = GovernanceStores.sqlite(data)) {
      stores.registry().ensureModel("mnist", "system", Instant.EPOCH);
      assertThat(stores.database().dialect()).isEqualTo(Dialect.SQLITE);
    }

    assertThat(Files.isRegularFile(data.resolve(GovernanceStores.SQLITE_FILE))).isTrue();
    try (GovernanceStores reopened = GovernanceStores.sqlite(data)) {
      assertThat(reopened.registry().model("mnist")).isPresent();
    }
  }

  @Test
  void urlsOfOtherDatabasesAreRejected() {
    assertThatThrownBy(() -> GovernanceStores.open("jdbc:mysql://localhost/kiln", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:sqlite:");
  }
}
