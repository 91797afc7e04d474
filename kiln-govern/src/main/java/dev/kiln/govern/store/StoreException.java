package dev.kiln.govern.store;

/**
 * The database failed (unreachable, full, a constraint the caller could not foresee). Its message is for the log;
 * protocol adapters map it to an internal error without showing it.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
