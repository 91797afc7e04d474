package dev.kiln.core.oip;

import java.util.List;

/** What server metadata reports: name, version, and the extensions the answering protocol implements. */
public record ServerMetadata(String name, String version, List<String> extensions) {
  public ServerMetadata {
    extensions = List.copyOf(extensions);
  }
}
