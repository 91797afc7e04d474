package dev.kiln.training.data;

import java.util.List;

/** Labelled texts. */
public record TextData(String source, List<String> texts, List<String> labels) implements RawDataset {
  public TextData {
    texts = List.copyOf(texts);
    labels = List.copyOf(labels);
  }
}
