package dev.kiln.core.serving;

import dev.kiln.core.model.ModelSignature;
import java.util.List;

/** What the metadata endpoints report about a model (or one of its versions). */
public record ModelMetadata(String name, List<String> versions, String platform, ModelSignature signature) {
  public ModelMetadata {
    versions = List.copyOf(versions);
  }
}
