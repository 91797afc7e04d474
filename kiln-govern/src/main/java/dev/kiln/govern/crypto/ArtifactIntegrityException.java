package dev.kiln.govern.crypto;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;

/**
 * A stored artifact cannot be trusted: it was tampered with or corrupted, or it is encrypted under a master key that is
 * not loaded. The model version cannot be served ({@link ErrorKind#UNAVAILABLE}: the request was fine, the stored file
 * is not). Messages name the artifact by its opaque store key and the master key by its id, never by a path, and no
 * plaintext is ever returned alongside.
 */
public final class ArtifactIntegrityException extends KilnException {
  private static final long serialVersionUID = 1L;

  public ArtifactIntegrityException(String message) {
    super(ErrorKind.UNAVAILABLE, message);
  }

  public ArtifactIntegrityException(String message, Throwable cause) {
    super(ErrorKind.UNAVAILABLE, message, cause);
  }
}
