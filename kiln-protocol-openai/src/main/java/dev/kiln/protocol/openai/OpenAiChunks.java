package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.FinishReason;

/**
 * The bodies OpenAI clients parse: a whole {@code chat.completion} / {@code text_completion}, and the chunks of a
 * stream, every one with the same {@code id}.
 */
record OpenAiChunks(String id, long created, String model, boolean chat) {
  private ObjectNode head(boolean chunk) {
    String object = chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion";
    return OpenAiRequests.JSON
        .createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model);
  }

  ObjectNode complete(String text, FinishReason reason, int prompt, int completion) {
    ObjectNode out = head(false);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("message").put("role", "assistant").put("content", text);
    } else {
      choice.put("text", text).putNull("logprobs");
    }
    choice.put("finish_reason", reason.openAi());
    usage(out, prompt, completion);
    return out;
  }

  ObjectNode roleChunk() {
    ObjectNode out = head(true);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    choice.putObject("delta").put("role", "assistant").put("content", "");
    choice.putNull("finish_reason");
    return out;
  }

  ObjectNode textChunk(String piece) {
    ObjectNode out = head(true);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("delta").put("content", piece);
    } else {
      choice.put("text", piece).putNull("logprobs");
    }
    choice.putNull("finish_reason");
    return out;
  }

  ObjectNode finishChunk(FinishReason reason) {
    ObjectNode out = head(true);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    if (chat) {
      choice.putObject("delta");
    } else {
      choice.put("text", "").putNull("logprobs");
    }
    choice.put("finish_reason", reason.openAi());
    return out;
  }

  /** With {@code stream_options.include_usage}: a last chunk with no choices and the usage. */
  ObjectNode usageChunk(int prompt, int completion) {
    ObjectNode out = head(true);
    out.putArray("choices");
    usage(out, prompt, completion);
    return out;
  }

  private static void usage(ObjectNode out, int prompt, int completion) {
    out.putObject("usage")
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }
}
