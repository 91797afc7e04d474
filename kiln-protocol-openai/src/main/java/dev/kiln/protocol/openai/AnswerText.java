package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.ToolCallText;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the model writes, turned into what an answer says: its text, or (when the request allowed tool calls and the
 * model made them) OpenAI's {@code tool_calls}, each with an id of its own and {@code finish_reason: "tool_calls"}.
 * Streamed, a call's first delta carries its index, id, type and name, the next ones fragments of its arguments, as
 * OpenAI streams them. Only calls read completely are in a whole answer; a stream cut off by {@code max_tokens} ends
 * with {@code finish_reason: "length"}.
 */
final class AnswerText {
  private final OpenAiChunks chunks;
  private final ToolCallText calls;
  private final StringBuilder text = new StringBuilder();
  private final List<String> ids = new ArrayList<>();

  AnswerText(OpenAiChunks chunks, boolean readsCalls) {
    this.chunks = chunks;
    this.calls = readsCalls ? new ToolCallText() : null;
  }

  OpenAiChunks chunks() {
    return chunks;
  }

  /** Keeps {@code piece}; returns the stream chunks it makes. */
  List<ObjectNode> add(String piece) {
    text.append(piece);
    if (calls == null) {
      return List.of(chunks.textChunk(piece));
    }
    List<ObjectNode> out = new ArrayList<>();
    for (ToolCallText.Event e : calls.feed(piece)) {
      switch (e) {
        case ToolCallText.Event.Content c -> out.add(chunks.textChunk(c.text()));
        case ToolCallText.Event.CallStarted s -> {
          ObjectNode call = delta(out, s.index()).put("id", id(s.index())).put("type", "function");
          call.putObject("function").put("name", s.name()).put("arguments", "");
        }
        case ToolCallText.Event.Arguments a ->
            delta(out, a.index()).putObject("function").put("arguments", a.fragment());
      }
    }
    return out;
  }

  private ObjectNode delta(List<ObjectNode> out, int index) {
    ObjectNode chunk = chunks.textChunk("");
    ObjectNode choice = (ObjectNode) chunk.get("choices").get(0);
    ObjectNode delta = choice.putObject("delta");
    out.add(chunk);
    return delta.putArray("tool_calls").addObject().put("index", index);
  }

  private String id(int index) {
    while (ids.size() <= index) {
      ids.add("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
    }
    return ids.get(index);
  }

  private boolean madeCalls() {
    return calls != null && calls.isCalls() && !calls.calls().isEmpty();
  }

  private String finish(FinishReason reason) {
    return madeCalls() && reason == FinishReason.STOP ? "tool_calls" : reason.openAi();
  }

  ObjectNode finishChunk(FinishReason reason) {
    ObjectNode chunk = chunks.finishChunk(reason);
    ((ObjectNode) chunk.get("choices").get(0)).put("finish_reason", finish(reason));
    return chunk;
  }

  ObjectNode complete(FinishReason reason, int prompt, int completion) {
    ObjectNode out = chunks.complete(text.toString(), reason, prompt, completion);
    ObjectNode choice = (ObjectNode) out.get("choices").get(0);
    if (calls != null && calls.isCalls()) {
      ObjectNode message = (ObjectNode) choice.get("message");
      message.putNull("content");
      ArrayNode list = message.putArray("tool_calls");
      List<ToolCallText.Call> made = calls.calls();
      for (int i = 0; i < made.size(); i++) {
        ObjectNode call = list.addObject().put("id", id(i)).put("type", "function");
        call.putObject("function").put("name", made.get(i).name()).put("arguments", made.get(i).arguments());
      }
      choice.put("finish_reason", finish(reason));
    }
    return out;
  }
}
