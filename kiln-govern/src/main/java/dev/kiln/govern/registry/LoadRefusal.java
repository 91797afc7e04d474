package dev.kiln.govern.registry;

import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns what a loader threw for a pushed version into what the caller is told. A malformed file is the caller's input,
 * so it is INVALID_ARGUMENT (400) with the loader's caller-safe reason; an exception that carries no such reason (a bug
 * a hostile file reached) is logged in full and reported without its message, still as a refusal rather than a 500.
 * Server-side failures (a full disk, a database down) keep their own kind.
 */
final class LoadRefusal {
  private static final Logger LOG = Logger.getLogger(LoadRefusal.class.getName());

  private LoadRefusal() {}

  static RuntimeException of(RuntimeException e, VersionRecord v) {
    String what = "version " + v.version() + " of " + v.model();
    if (e instanceof KilnException k && k.kind() != ErrorKind.INVALID_ARGUMENT) {
      LOG.log(Level.WARNING, what + " could not be served", e);
      return k;
    }
    String reason;
    if (e instanceof KilnException || e instanceof ModelLoadException) {
      reason = e.getMessage();
      LOG.warning(what + " was refused: " + reason);
      LOG.log(Level.FINE, what + " refused", e);
    } else {
      reason = "it could not be loaded";
      LOG.log(Level.WARNING, what + " was refused: its loader failed", e);
    }
    return new KilnException(ErrorKind.INVALID_ARGUMENT, "the model was refused: " + reason, e);
  }
}
