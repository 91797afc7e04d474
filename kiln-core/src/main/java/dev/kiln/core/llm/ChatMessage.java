package dev.kiln.core.llm;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation: {@code system}, {@code user}, {@code assistant} or {@code tool}.
 *
 * @param toolCalls the calls an assistant message made (its content may then be empty)
 * @param toolCallId for a {@code tool} message, the call it answers; "" otherwise
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    toolCalls = List.copyOf(toolCalls);
    Objects.requireNonNull(toolCallId, "toolCallId");
  }

  /** A message without tool calls. */
  public ChatMessage(String role, String content) {
    this(role, content, List.of(), "");
  }

  /** Whether only a template that knows tools can format it. */
  public boolean hasToolParts() {
    return role.equals("tool") || !toolCalls.isEmpty();
  }
}
