package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one message of a conversation: an assistant's {@code tool_calls} (its content may then be null) and a {@code
 * tool} message's {@code tool_call_id}, beside the text content every message has.
 */
final class ToolMessages {
  private ToolMessages() {}

  static ChatMessage message(JsonNode m, int i, String role) {
    JsonNode calls = m.get("tool_calls");
    boolean hasCalls = calls != null && !calls.isNull();
    if (hasCalls && !role.equals("assistant")) {
      throw KilnException.invalid("messages[" + i + "].tool_calls: only assistant messages make tool calls");
    }
    JsonNode c = m.get("content");
    String content = hasCalls && (c == null || c.isNull()) ? "" : OpenAiRequests.content(c, i);
    if (role.equals("tool")) {
      JsonNode id = m.get("tool_call_id");
      if (id == null || !id.isTextual() || id.asText().isEmpty()) {
        throw KilnException.invalid("messages[" + i + "].tool_call_id is required for a tool message");
      }
      return new ChatMessage(role, content, List.of(), id.asText());
    }
    return new ChatMessage(role, content, hasCalls ? calls(calls, i) : List.of(), "");
  }

  private static List<ToolCall> calls(JsonNode calls, int i) {
    if (!calls.isArray() || calls.size() > OpenAiStructured.MAX_TOOLS) {
      throw KilnException.invalid(
          "messages[" + i + "].tool_calls must be an array of at most " + OpenAiStructured.MAX_TOOLS + " calls");
    }
    List<ToolCall> out = new ArrayList<>();
    for (int j = 0; j < calls.size(); j++) {
      JsonNode call = calls.get(j);
      JsonNode fn = call.path("function");
      if (!call.path("id").isTextual()
          || !fn.path("name").isTextual()
          || !fn.path("arguments").isTextual()
          || !"function".equals(call.path("type").asText("function"))) {
        throw KilnException.invalid(
            "messages["
                + i
                + "].tool_calls["
                + j
                + "] must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}} with strings");
      }
      out.add(new ToolCall(call.get("id").asText(), fn.get("name").asText(), fn.get("arguments").asText()));
    }
    return out;
  }
}
