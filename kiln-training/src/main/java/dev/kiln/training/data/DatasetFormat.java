package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The layout of a raw dataset. */
public enum DatasetFormat {
  /** A delimited file with a header row (comma, or tab for {@code .tsv}), optionally gzipped. */
  @JsonProperty("csv")
  CSV,
  /** {@code root/<class>/*.png|jpg|jpeg}. */
  @JsonProperty("image_folder")
  IMAGE_FOLDER,
  /** A directory with two IDX files (MNIST format): images, and labels (the one-dimensional file). */
  @JsonProperty("idx")
  IDX,
  /** A delimited file with a text column and a label column. */
  @JsonProperty("text_csv")
  TEXT_CSV,
  /** {@code root/<class>/*.txt}, one example per file. */
  @JsonProperty("text_folder")
  TEXT_FOLDER
}
