package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LibraryLoggingTest {
  @Test
  void libraryChatterIsQuietForLoggersMadeLaterAndAfterACollection() {
    LibraryLogging.quiet();
    System.gc(); // a level set on a Logger nothing holds would be lost here; configured levels are not

    assertThat(Logger.getLogger("org.flywaydb.core.internal.command.DbMigrate").isLoggable(Level.INFO)).isFalse();
    assertThat(Logger.getLogger("org.flywaydb.core.internal.command.DbMigrate").isLoggable(Level.WARNING)).isTrue();
    assertThat(Logger.getLogger("com.zaxxer.hikari.HikariDataSource").isLoggable(Level.INFO)).isFalse();
    assertThat(Logger.getLogger("ai.djl.util.cuda.CudaUtils").isLoggable(Level.WARNING)).isFalse();
    assertThat(Logger.getLogger("dev.kiln.server.Kiln").isLoggable(Level.INFO)).isTrue(); // Kiln's own still talk
  }
}
