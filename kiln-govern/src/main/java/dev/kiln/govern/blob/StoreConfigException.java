package dev.kiln.govern.blob;

/**
 * The artifact store cannot be used as configured (no such bucket, refused credentials, unreachable endpoint), nor the
 * local folder of its plaintext working copies ({@code PlaintextScratch}): its message is one line naming what to fix,
 * which {@code kiln serve} prints before it stops.
 */
public final class StoreConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
