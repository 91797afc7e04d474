package dev.kiln.training.spec;

/**
 * How long and on what to fit. Every field may be null in a request, meaning "keep the default or the spec's".
 *
 * @param validationSplit fraction of the training rows held out for validation each epoch
 * @param testSplit fraction held out, never trained on, for the final evaluation
 * @param checkpointEvery save a checkpoint every this many epochs (a restarted job resumes from it)
 * @param validationDataset Keras's {@code validation_data}: another dataset, {@code NAME} or {@code NAME@VERSION}, with
 *     the training data's columns, validated on each epoch instead of a fraction of the training rows
 * @param splitColumn a CSV column whose values ({@code train}, {@code validation}, {@code test}, any case) assign each
 *     row to its split instead of the fractions; not a feature
 */
public record TrainingSettings(
    Integer epochs,
    Integer batchSize,
    Double validationSplit,
    Double testSplit,
    Long seed,
    EarlyStopping earlyStopping,
    Integer checkpointEvery,
    String validationDataset,
    String splitColumn) {
  public static final TrainingSettings DEFAULTS = new TrainingSettings(10, 32, 0.1, 0.2, 42L, null, 1);

  /** No field set: overrides that override nothing. */
  public static final TrainingSettings NONE = new TrainingSettings(null, null, null, null, null, null, null);

  public TrainingSettings(
      Integer epochs,
      Integer batchSize,
      Double validationSplit,
      Double testSplit,
      Long seed,
      EarlyStopping earlyStopping,
      Integer checkpointEvery) {
    this(epochs, batchSize, validationSplit, testSplit, seed, earlyStopping, checkpointEvery, null, null);
  }

  /** This, with every null field taken from {@code base}. */
  public TrainingSettings over(TrainingSettings base) {
    return new TrainingSettings(
        epochs != null ? epochs : base.epochs,
        batchSize != null ? batchSize : base.batchSize,
        validationSplit != null ? validationSplit : base.validationSplit,
        testSplit != null ? testSplit : base.testSplit,
        seed != null ? seed : base.seed,
        earlyStopping != null ? earlyStopping : base.earlyStopping,
        checkpointEvery != null ? checkpointEvery : base.checkpointEvery,
        validationDataset != null ? validationDataset : base.validationDataset,
        splitColumn != null ? splitColumn : base.splitColumn);
  }

  public TrainingSettings withEarlyStopping(EarlyStopping stopping) {
    return new TrainingSettings(
        epochs, batchSize, validationSplit, testSplit, seed, stopping, checkpointEvery, validationDataset, splitColumn);
  }

  /** These settings with the fractions replaced: those a validation dataset or a split column leave in effect. */
  public TrainingSettings withSplits(Double validation, Double test) {
    return new TrainingSettings(
        epochs, batchSize, validation, test, seed, earlyStopping, checkpointEvery, validationDataset, splitColumn);
  }

  /** These settings naming a validation dataset ({@code NAME@VERSION} once a job pins it). */
  public TrainingSettings withValidationDataset(String dataset) {
    return new TrainingSettings(
        epochs, batchSize, validationSplit, testSplit, seed, earlyStopping, checkpointEvery, dataset, splitColumn);
  }

  /**
   * Whether epochs may have validation rows: a validation fraction, a validation dataset, or a split column (whose
   * validation rows are counted when the data is read).
   */
  public boolean validates() {
    return (validationSplit != null && validationSplit > 0) || validationDataset != null || splitColumn != null;
  }
}
