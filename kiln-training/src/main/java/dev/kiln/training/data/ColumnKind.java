package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a tabular column is read: as numbers (scaled), or as categories (one-hot encoded). */
public enum ColumnKind {
  @JsonProperty("numeric")
  NUMERIC,
  @JsonProperty("categorical")
  CATEGORICAL
}
