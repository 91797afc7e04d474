package dev.kiln.training.spec;

/**
 * How long and on what to fit. Every field may be null in a request, meaning "keep the default or the spec's".
 *
 * @param validationSplit fraction of the training rows held out for validation each epoch
 * @param testSplit fraction held out, never trained on, for the final evaluation
 * @param checkpointEvery save a checkpoint every this many epochs (a restarted job resumes from it)
 */
public record TrainingSettings(
    Integer epochs,
    Integer batchSize,
    Double validationSplit,
    Double testSplit,
    Long seed,
    EarlyStopping earlyStopping,
    Integer checkpointEvery) {
  public static final TrainingSettings DEFAULTS = new TrainingSettings(10, 32, 0.1, 0.2, 42L, null, 1);

  /** This, with every null field taken from {@code base}. */
  public TrainingSettings over(TrainingSettings base) {
    return new TrainingSettings(
        epochs != null ? epochs : base.epochs,
        batchSize != null ? batchSize : base.batchSize,
        validationSplit != null ? validationSplit : base.validationSplit,
        testSplit != null ? testSplit : base.testSplit,
        seed != null ? seed : base.seed,
        earlyStopping != null ? earlyStopping : base.earlyStopping,
        checkpointEvery != null ? checkpointEvery : base.checkpointEvery);
  }

  public TrainingSettings withEarlyStopping(EarlyStopping stopping) {
    return new TrainingSettings(epochs, batchSize, validationSplit, testSplit, seed, stopping, checkpointEvery);
  }
}
