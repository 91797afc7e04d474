package dev.kiln.core.tls;

import java.nio.file.Path;

/**
 * A TLS file that cannot be used; thrown at startup, before a listener binds. The message names the file and the
 * problem, e.g. {@code "TLS private key /etc/kiln/server.key: does not belong to the certificate in
 * /etc/kiln/server.pem"}.
 */
public final class TlsFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  TlsFileException(String role, Path file, String problem) {
    this(role, file, problem, null);
  }

  TlsFileException(String role, Path file, String problem, Throwable cause) {
    super("TLS " + role + " " + file + ": " + problem, cause);
  }
}
