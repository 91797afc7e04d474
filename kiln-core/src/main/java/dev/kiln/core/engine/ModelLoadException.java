package dev.kiln.core.engine;

/** A model could not be loaded. The message is the reason shown in the repository index; keep it caller-safe. */
public class ModelLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String reason) {
    super(reason);
  }

  public ModelLoadException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
