package dev.kiln.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * Quiets libraries' chatter once, when the launcher starts, instead of in static blocks of the classes that use them.
 * The levels go into the log manager's configuration by logger name, so they hold for loggers made later and for as
 * long as the process runs (a level set on a {@code Logger} object is lost when nothing holds it).
 */
final class LibraryLogging {
  /**
   * The pool's and the migrations' start-up chatter is not news to a user (their warnings still are); DJL probes for
   * CUDA even on the CPU engine and warns when a driver is present but unusable, and Kiln trains on CPU.
   */
  private static final String LEVELS =
      """
      com.zaxxer.hikari.level=WARNING
      org.flywaydb.level=WARNING
      ai.djl.util.cuda.level=SEVERE
      """;

  private LibraryLogging() {}

  /** Adds the levels above to the logging configuration; what is configured already (a user's file) stays. */
  static void quiet() {
    try {
      LogManager.getLogManager()
          .updateConfiguration(
              new ByteArrayInputStream(LEVELS.getBytes(StandardCharsets.ISO_8859_1)),
              key -> (configured, ours) -> configured != null ? configured : ours);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot configure logging", e);
    }
  }
}
