package dev.kiln.protocol.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads and checks OpenAI request bodies. Unknown fields are accepted and ignored (clients send many); known ones are
 * checked, each error naming its field, as OpenAI does.
 */
final class OpenAiRequests {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

  /** Longest accepted stop list, as OpenAI's API allows. */
  private static final int MAX_STOPS = 4;

  /** Highest {@code best_of} OpenAI's API takes; this server answers 1 only, and says so. */
  private static final int MAX_CHOICES = 128;

  /** Sampling settings common to chat and completions. */
  record Sampling(
      int maxTokens,
      double temperature,
      double topP,
      Long seed,
      List<String> stop,
      boolean stream,
      boolean includeUsage,
      Integer topK) {}

  private OpenAiRequests() {}

  static JsonNode body(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw KilnException.invalid("the request body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw KilnException.invalid("the request body is not valid JSON");
    }
  }

  /**
   * The top-level {@code model} field, for routing and access checks; null when absent or not a string. Read with the
   * streaming parser, skipping other values without building them, since the check runs on the event loop. The last
   * {@code model} counts, as in {@link #body}'s tree: the model checked is the model called.
   */
  static String modelOf(byte[] bytes) {
    try (JsonParser p = JSON.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String model = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("model")) {
          model = value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return model;
    } catch (IOException e) {
      return null;
    }
  }

  static String model(JsonNode body) {
    JsonNode m = body.get("model");
    if (m == null || !m.isTextual() || m.asText().isEmpty()) {
      throw KilnException.invalid("'model' is required");
    }
    return m.asText();
  }

  /**
   * @param contextLength the model's tokens per slot: every message costs at least one token through any chat template,
   *     so a longer conversation cannot fit and is refused before the template and tokenizer see it
   */
  static List<ChatMessage> messages(JsonNode body, int contextLength) {
    JsonNode ms = body.get("messages");
    if (ms == null || !ms.isArray() || ms.isEmpty()) {
      throw KilnException.invalid("'messages' must be a non-empty array");
    }
    if (ms.size() > contextLength) {
      throw KilnException.invalid(
          "'messages': "
              + ms.size()
              + " messages (expected: at most "
              + contextLength
              + ", the model's context length)");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String role = m.path("role").asText("");
      if (!ROLES.contains(role)) {
        throw KilnException.invalid(
            "messages[" + i + "].role must be one of system, developer, user, assistant, tool; got '" + role + "'");
      }
      out.add(ToolMessages.message(m, i, role.equals("developer") ? "system" : role));
    }
    return out;
  }

  /** A string, or an array of {@code {"type": "text", "text": ...}} parts (other part types are not supported). */
  static String content(JsonNode c, int i) {
    if (c != null && c.isTextual()) {
      return c.asText();
    }
    if (c != null && c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : c) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw KilnException.invalid("messages[" + i + "].content: only text parts are supported");
        }
        sb.append(part.get("text").asText());
      }
      return sb.toString();
    }
    throw KilnException.invalid("messages[" + i + "].content must be a string or an array of text parts");
  }

  static String prompt(JsonNode body) {
    JsonNode p = body.get("prompt");
    if (p != null && p.isTextual()) {
      return p.asText();
    }
    if (p != null && p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      return p.get(0).asText();
    }
    throw KilnException.invalid("'prompt' must be a string (or an array of one string)");
  }

  static Sampling sampling(JsonNode body, int defaultMaxTokens, int contextLength) {
    int max = defaultMaxTokens;
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      if (present(body, field)) {
        max = (int) integer(body, field, 1, contextLength);
        break;
      }
    }
    double temperature = number(body, "temperature", 1.0, 0, 2);
    double topP = number(body, "top_p", 1.0, 0, 1);
    if (topP == 0) {
      throw KilnException.invalid("'top_p' must be greater than 0");
    }
    // n and the log probabilities are read by OpenAiChoosing.
    if (present(body, "best_of") && integer(body, "best_of", 1, MAX_CHOICES) != 1) {
      throw KilnException.invalid("'best_of' must be 1: this server does not rank choices");
    }
    // vLLM's extension, which clients of local servers send: -1 (or 0) for all tokens.
    Integer topK = present(body, "top_k") ? (int) integer(body, "top_k", -1, Integer.MAX_VALUE) : null;
    Long seed = present(body, "seed") ? integer(body, "seed", Long.MIN_VALUE, Long.MAX_VALUE) : null;
    List<String> stop = new ArrayList<>();
    JsonNode st = body.get("stop");
    if (st != null && st.isTextual()) {
      stop.add(st.asText());
    } else if (st != null && st.isArray()) {
      for (JsonNode x : st) {
        if (!x.isTextual() || x.asText().isEmpty()) {
          throw KilnException.invalid("'stop' must hold non-empty strings");
        }
        stop.add(x.asText());
      }
    } else if (st != null && !st.isNull()) {
      throw KilnException.invalid("'stop' must be a string or an array of strings");
    }
    if (stop.size() > MAX_STOPS) {
      throw KilnException.invalid("'stop' may hold at most " + MAX_STOPS + " sequences");
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      throw KilnException.invalid("'stream' must be a boolean");
    }
    boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
    return new Sampling(max, temperature, topP, seed, stop, stream != null && stream.asBoolean(), usage, topK);
  }

  static boolean present(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v != null && !v.isNull();
  }

  /**
   * An integer field from {@code min} to {@code max}, compared exactly: a value beyond {@code long} (Jackson keeps it
   * as a {@code BigInteger}) or beyond {@code int} is refused, never wrapped ({@code n=4294967297} is not 1).
   */
  static long integer(JsonNode body, String field, long min, long max) {
    JsonNode v = body.get(field);
    if (!v.isNumber() || !v.canConvertToExactIntegral()) {
      throw KilnException.invalid("'" + field + "' must be an integer from " + min + " to " + max);
    }
    BigInteger value = v.bigIntegerValue();
    if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw KilnException.invalid("'" + field + "' must be an integer from " + min + " to " + max);
    }
    return value.longValueExact();
  }

  private static double number(JsonNode body, String field, double dflt, double min, double max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw KilnException.invalid("'" + field + "' must be a number from " + min + " to " + max);
    }
    return v.asDouble();
  }

  /**
   * The {@code dimensions} an embedding request asks for, checked as an exact positive integer; empty when not given.
   * This server does not shorten vectors, so the caller compares it with the model's width.
   */
  static OptionalInt dimensions(JsonNode body) {
    return present(body, "dimensions")
        ? OptionalInt.of((int) integer(body, "dimensions", 1, Integer.MAX_VALUE))
        : OptionalInt.empty();
  }

  /** Embedding inputs: a string or an array of strings (token arrays are not supported). */
  static List<String> inputs(JsonNode body) {
    JsonNode in = body.get("input");
    if (in != null && in.isTextual()) {
      return List.of(in.asText());
    }
    if (in != null && in.isArray() && !in.isEmpty() && in.size() <= 2048) {
      List<String> out = new ArrayList<>();
      for (JsonNode x : in) {
        if (!x.isTextual()) {
          throw KilnException.invalid(
              "'input' must be a string or an array of strings (token ids are not " + "supported)");
        }
        out.add(x.asText());
      }
      return out;
    }
    throw KilnException.invalid("'input' must be a string or an array of 1 to 2048 strings");
  }
}
