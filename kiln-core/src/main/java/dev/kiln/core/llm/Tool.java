package dev.kiln.core.llm;

import java.util.Objects;

/**
 * A function the model may call, as a chat template and the tool-call grammar see it.
 *
 * @param parameters its arguments' JSON schema, as JSON text (checked and bounded by {@link JsonGrammar})
 */
public record Tool(String name, String description, String parameters) {
  public Tool {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(parameters, "parameters");
  }
}
