package dev.kiln.training.engine;

/** Training failed for a reason the user should see. */
public class TrainingException extends Exception {
  public TrainingException(String message) {
    super(message);
  }

  public TrainingException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The run was cancelled on request. */
  public static final class Cancelled extends TrainingException {
    public Cancelled() {
      super("cancelled");
    }
  }
}
