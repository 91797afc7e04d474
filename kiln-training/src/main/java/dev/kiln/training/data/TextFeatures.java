package dev.kiln.training.data;

import java.util.List;

/** A text preprocessing: texts to rows of {@link #width()} floats (token ids, or a TF-IDF bag). */
sealed interface TextFeatures extends Preprocessing permits TextPreprocessing, NgramPreprocessing {
  /** Every text's row, row-major (the {@link Examples} layout). */
  float[] apply(List<String> texts);

  /** Floats per row: the model's input shape {@code [width]}. */
  int width();
}
