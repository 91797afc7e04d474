package dev.kiln.scoring;

/** Where a scoring job is in its life; the last three are final. */
public enum ScoringState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
