package dev.kiln.training.data;

import java.util.List;
import java.util.TreeSet;

/**
 * Decides classification or regression from the labels when the user did not: labels that are not all numbers, or whole
 * numbers with at most {@value #MAX_INTEGER_CLASSES} distinct values, are classes.
 */
final class TaskInference {
  static final int MAX_INTEGER_CLASSES = 20;

  private TaskInference() {}

  /** The task over non-null {@code labels}; classification needs at least two classes. */
  static Task infer(String target, List<String> labels, Task.Type forced, String source) {
    if (labels.isEmpty()) {
      throw new DatasetException(source + ": no labelled rows");
    }
    TreeSet<String> distinct = new TreeSet<>(ClassOrder.INSTANCE);
    boolean numeric = true;
    boolean integers = true;
    for (String l : labels) {
      distinct.add(l);
      Double d = Numbers.parse(l);
      numeric &= d != null;
      integers &= d != null && d == Math.rint(d);
    }
    Task.Type type =
        forced != null
            ? forced
            : !numeric || (integers && distinct.size() <= MAX_INTEGER_CLASSES)
                ? Task.Type.CLASSIFICATION
                : Task.Type.REGRESSION;
    if (type == Task.Type.REGRESSION) {
      if (!numeric) {
        String bad = labels.stream().filter(l -> Numbers.parse(l) == null).findFirst().orElseThrow();
        throw new DatasetException(
            source
                + ": label '"
                + TabularReader.abbreviate(bad)
                + "' of '"
                + target
                + "' is not a number (task: regression)");
      }
      return Task.regression(target);
    }
    if (distinct.size() < 2) {
      throw new DatasetException(
          source
              + ": only one class ("
              + distinct.first()
              + ") in '"
              + target
              + "'; classification needs at least two");
    }
    return Task.classification(target, List.copyOf(distinct));
  }
}
