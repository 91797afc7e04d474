package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Log probabilities in OpenAI's two shapes: chat's {@code logprobs.content[]} (token, logprob, bytes, top_logprobs[])
 * and completions' legacy {@code tokens}, {@code token_logprobs}, {@code top_logprobs} (a map per token) and {@code
 * text_offset} (where each token starts in the completion's text, from 0). A streamed chunk carries its own tokens'.
 */
final class OpenAiLogprobs {
  private OpenAiLogprobs() {}

  static ObjectNode chat(List<TokenLogprob> tokens) {
    ObjectNode out = OpenAiRequests.JSON.createObjectNode();
    ArrayNode content = out.putArray("content");
    for (TokenLogprob t : tokens) {
      ObjectNode entry = entry(content.addObject(), t);
      ArrayNode top = entry.putArray("top_logprobs");
      t.top().forEach(alt -> entry(top.addObject(), alt));
    }
    out.putNull("refusal");
    return out;
  }

  private static ObjectNode entry(ObjectNode e, TokenLogprob t) {
    e.put("token", t.token()).put("logprob", t.logprob());
    ArrayNode bytes = e.putArray("bytes");
    for (byte b : t.bytes()) {
      bytes.add(b & 0xff);
    }
    return e;
  }

  /**
   * @param offset where the first of {@code tokens} starts in the completion's text (a stream's earlier chunks' length)
   */
  static ObjectNode legacy(List<TokenLogprob> tokens, int offset) {
    ObjectNode out = OpenAiRequests.JSON.createObjectNode();
    ArrayNode text = out.putArray("tokens");
    ArrayNode logprobs = out.putArray("token_logprobs");
    ArrayNode top = out.putArray("top_logprobs");
    ArrayNode offsets = out.putArray("text_offset");
    int at = offset;
    for (TokenLogprob t : tokens) {
      text.add(t.token());
      logprobs.add(t.logprob());
      ObjectNode alternatives = top.addObject();
      t.top().forEach(alt -> alternatives.put(alt.token(), alt.logprob()));
      offsets.add(at);
      at += new String(t.bytes(), StandardCharsets.UTF_8).length();
    }
    return out;
  }
}
