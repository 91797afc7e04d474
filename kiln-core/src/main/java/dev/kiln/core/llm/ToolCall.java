package dev.kiln.core.llm;

import java.util.Objects;

/**
 * A call of a {@link Tool}: one the model made (parsed from its output) or one an earlier assistant message carries.
 *
 * @param arguments JSON text of the arguments object
 */
public record ToolCall(String id, String name, String arguments) {
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
  }
}
