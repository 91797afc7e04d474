package dev.kiln.govern.auth;

/** What a key may do. {@link #ADMIN} implies every other action on every model. */
public enum Action {
  /** Call models: inference, metadata, readiness (REST, gRPC, /predict). */
  INVOKE("invoke"),
  /** Push, alias, archive, delete, load and unload models. */
  MANAGE("manage"),
  /** Upload datasets, submit and cancel training jobs, deploy their results. */
  TRAIN("train"),
  /**
   * Read (download, preview, metadata) the datasets a glob matches that another key uploaded; with {@link #TRAIN} also
   * train on them and delete their versions. It never adds versions to them: a name stays its first uploader's.
   */
  DATASET("dataset"),
  /** Keys, audit log, usage of every key. */
  ADMIN("admin");

  private final String word;

  Action(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  public static Action of(String word) {
    for (Action a : values()) {
      if (a.word.equals(word)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown action '" + word + "' (one of invoke, manage, train, dataset, admin)");
  }
}
