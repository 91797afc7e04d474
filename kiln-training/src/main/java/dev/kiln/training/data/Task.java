package dev.kiln.training.data;

import java.util.List;

/** What is predicted: a class among {@code classes} (their order is the class index), or a number. */
public record Task(Type type, List<String> classes, String target) {
  public enum Type {
    CLASSIFICATION,
    REGRESSION
  }

  public Task {
    classes = classes == null ? List.of() : List.copyOf(classes);
  }

  public static Task classification(String target, List<String> classes) {
    return new Task(Type.CLASSIFICATION, classes, target);
  }

  public static Task regression(String target) {
    return new Task(Type.REGRESSION, List.of(), target);
  }

  public boolean classification() {
    return type == Type.CLASSIFICATION;
  }

  public int classCount() {
    return classes.size();
  }
}
