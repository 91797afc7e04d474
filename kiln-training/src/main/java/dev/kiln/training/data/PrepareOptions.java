package dev.kiln.training.data;

/**
 * How a dataset becomes {@link PreparedData}.
 *
 * @param validation fraction of rows held out for validation
 * @param test fraction held out for the final test
 * @param stratify keep class proportions in each split (classification only)
 * @param maxVocabulary text: the most frequent training tokens kept, padding and unknown not counted
 * @param maxLength text: tokens per example; null means the 95th percentile of training lengths, at most 256
 * @param text text: tokenisation and features; null means {@link TextOptions#DEFAULTS}
 * @param splitColumn tabular: the column whose values assign rows to train, validation or test instead of the fractions
 *     (see {@link SplitColumn}); null for the fractions
 * @param exactRows tabular: also prepare the training rows in double precision ({@link PreparedData#exactTrain()}), for
 *     the exact linear regression solver; off for every other model, which reads the float rows only
 */
public record PrepareOptions(
    double validation,
    double test,
    long seed,
    boolean stratify,
    Scaling scaling,
    MissingPolicy missing,
    int maxVocabulary,
    Integer maxLength,
    TextOptions text,
    String splitColumn,
    boolean exactRows) {
  public static final int MAX_AUTO_LENGTH = 256;

  public PrepareOptions {
    scaling = scaling == null ? Scaling.STANDARD : scaling;
    missing = missing == null ? MissingPolicy.ERROR : missing;
    text = text == null ? TextOptions.DEFAULTS : text;
    if (maxVocabulary < 1 || (maxLength != null && maxLength < 1)) {
      throw new DatasetException(
          "text options: maxVocabulary " + maxVocabulary + ", maxLength " + maxLength + " (expected: positive)");
    }
  }

  /** Validation 0.2, test 0.1, seed 42, stratified, standard scaling, missing values an error, 10,000 tokens. */
  public static PrepareOptions defaults() {
    return new PrepareOptions(
        0.2, 0.1, 42, true, Scaling.STANDARD, MissingPolicy.ERROR, 10_000, null, null, null, false);
  }

  public PrepareOptions withSplit(double v, double t, long s) {
    return new PrepareOptions(
        v, t, s, stratify, scaling, missing, maxVocabulary, maxLength, text, splitColumn, exactRows);
  }

  public PrepareOptions withScaling(Scaling s) {
    return new PrepareOptions(
        validation, test, seed, stratify, s, missing, maxVocabulary, maxLength, text, splitColumn, exactRows);
  }

  public PrepareOptions withMissing(MissingPolicy m) {
    return new PrepareOptions(
        validation, test, seed, stratify, scaling, m, maxVocabulary, maxLength, text, splitColumn, exactRows);
  }

  public PrepareOptions withText(int vocabulary, Integer length) {
    return new PrepareOptions(
        validation, test, seed, stratify, scaling, missing, vocabulary, length, text, splitColumn, exactRows);
  }

  public PrepareOptions withText(TextOptions t) {
    return new PrepareOptions(
        validation, test, seed, stratify, scaling, missing, maxVocabulary, maxLength, t, splitColumn, exactRows);
  }

  public PrepareOptions withSplitColumn(String column) {
    return new PrepareOptions(
        validation, test, seed, stratify, scaling, missing, maxVocabulary, maxLength, text, column, exactRows);
  }

  public PrepareOptions withExactRows(boolean exact) {
    return new PrepareOptions(
        validation, test, seed, stratify, scaling, missing, maxVocabulary, maxLength, text, splitColumn, exact);
  }
}
