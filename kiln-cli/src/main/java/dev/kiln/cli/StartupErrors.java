package dev.kiln.cli;

import dev.kiln.govern.blob.StoreConfigException;
import dev.kiln.govern.store.StoreException;
import java.net.BindException;
import java.util.Optional;

/**
 * Failures of {@code kiln serve}'s start that come from its configuration, not from a bug: the line that names what to
 * fix instead of a stack trace (README, "Start-up errors").
 */
final class StartupErrors {
  private StartupErrors() {}

  /** The line for {@code e}, or empty when it is not a configuration error. */
  static Optional<String> line(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StoreException) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        String why = root == t || t.getMessage().contains(String.valueOf(root.getMessage())) ? "" : ": " + root;
        return Optional.of(t.getMessage() + why);
      }
      if (t instanceof StoreConfigException) {
        return Optional.of(t.getMessage());
      }
      if (t instanceof BindException) {
        return Optional.of(
            "cannot listen: "
                + t.getMessage()
                + " (another process holds --http-port or --grpc-port: stop it or choose free ports)");
      }
    }
    return Optional.empty();
  }
}
