package dev.kiln.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The grammar of tool calls. A call is written as Hermes and Qwen models write them, which chat templates that know
 * tools ask for:
 *
 * <pre>{@code
 * <tool_call>
 * {"name": "get_weather", "arguments": {"city": "Paris"}}
 * </tool_call>
 * }</pre>
 *
 * with the arguments held to that function's parameter schema; parallel calls follow each other, one newline apart.
 * With {@code tool_choice} {@code auto} the grammar is "calls, or text that does not start with {@code <}": the first
 * token the model samples decides, so a model trained on the format chooses, and a model that puts {@code <} below
 * every word piece (the random-weight test model) always answers in text, deterministically.
 */
public final class ToolGrammar {
  /** The text that opens a call; {@link ToolCallText} reads calls back from it. */
  public static final String OPEN = "<tool_call>\n";

  public static final String CLOSE = "\n</tool_call>";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolGrammar() {}

  /**
   * Calls of {@code tools} only ({@code required}, or a named function when {@code tools} holds just that one).
   *
   * @param parallel several calls (up to {@code limits.items()}) or exactly one
   */
  public static String calls(List<Tool> tools, boolean parallel, JsonLimits limits) {
    GbnfRules rules = new GbnfRules();
    return rules.text(calls(rules, tools, parallel, limits));
  }

  /** Calls of {@code tools}, or an answer in {@code text}'s format that does not start as a call ({@code auto}). */
  public static String callsOr(OutputFormat text, List<Tool> tools, boolean parallel, JsonLimits limits) {
    GbnfRules rules = new GbnfRules();
    String calls = calls(rules, tools, parallel, limits);
    return rules.text(calls + " | " + JsonGrammar.expression(rules, text, limits));
  }

  private static String calls(GbnfRules rules, List<Tool> tools, boolean parallel, JsonLimits limits) {
    if (tools.isEmpty()) {
      throw KilnException.invalid("'tools': no function to call");
    }
    List<String> options = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      Tool t = tools.get(i);
      String args = JsonGrammar.expression(rules, "tools[" + i + "].function.parameters", schema(t, i), limits);
      options.add(GbnfRules.literal("{\"name\": \"" + t.name() + "\", \"arguments\": ") + " " + args + " \"}\"");
    }
    String call =
        rules.rule(
            "call", GbnfRules.literal(OPEN) + " (" + String.join(" | ", options) + ") " + GbnfRules.literal(CLOSE));
    return parallel ? "(" + call + " (\"\\n\" " + call + "){0," + (limits.items() - 1) + "})" : call;
  }

  /** The parameters schema; arguments are always an object (none declared: {@code {}}). */
  private static JsonNode schema(Tool t, int i) {
    try {
      JsonNode s = JSON.readTree(t.parameters());
      if (!s.isObject() || (s.has("type") && !"object".equals(s.get("type").asText()))) {
        throw KilnException.invalid("tools[" + i + "].function.parameters must be a JSON schema of type object");
      }
      if (s.isEmpty()) {
        return JSON.readTree("{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}");
      }
      return s;
    } catch (IOException e) {
      throw KilnException.invalid("tools[" + i + "].function.parameters must be a JSON schema");
    }
  }
}
