package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.JsonLimits;
import dev.kiln.core.llm.OutputFormat;
import dev.kiln.core.llm.Tool;
import dev.kiln.core.llm.ToolGrammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a request's {@code response_format}, {@code tools}, {@code tool_choice} and {@code parallel_tool_calls} ask for,
 * as the grammar the model is held to, the tools its chat template lists, and whether its answer is read for calls.
 *
 * @param tools listed in the prompt (none for {@code tool_choice: "none"}: the model is not told of them)
 * @param readsCalls the answer may be tool calls ({@code auto}, {@code required}, a named function)
 * @param grammar GBNF, "" for free text
 */
record OpenAiStructured(List<Tool> tools, boolean readsCalls, String grammar) {
  /** OpenAI's limit on tools per request. */
  static final int MAX_TOOLS = 128;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  static OpenAiStructured of(JsonNode body, boolean chat, JsonLimits limits) {
    OutputFormat format = format(body.get("response_format"));
    List<Tool> tools = tools(body.get("tools"), chat);
    JsonNode choice = body.get("tool_choice");
    JsonNode parallelField = body.get("parallel_tool_calls");
    if (parallelField != null && !parallelField.isNull() && !parallelField.isBoolean()) {
      throw KilnException.invalid("'parallel_tool_calls' must be a boolean");
    }
    boolean parallel = parallelField == null || parallelField.isNull() || parallelField.asBoolean();
    if (tools.isEmpty()) {
      if (choice != null && !choice.isNull() && !"none".equals(choice.asText())) {
        throw KilnException.invalid("'tool_choice' needs 'tools'");
      }
      return new OpenAiStructured(List.of(), false, format.grammar(limits));
    }
    // Every tool's schema is checked (and its grammar built) whatever the choice, as OpenAI checks them.
    String required = ToolGrammar.calls(tools, parallel, limits);
    if (choice == null || choice.isNull() || "auto".equals(choice.asText(null))) {
      return new OpenAiStructured(tools, true, ToolGrammar.callsOr(format, tools, parallel, limits));
    }
    if ("none".equals(choice.asText(null))) {
      return new OpenAiStructured(List.of(), false, format.grammar(limits));
    }
    if ("required".equals(choice.asText(null))) {
      return new OpenAiStructured(tools, true, required);
    }
    String name = choice.path("function").path("name").asText("");
    if (!"function".equals(choice.path("type").asText()) || name.isEmpty()) {
      throw KilnException.invalid(
          "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\":"
              + " ...}}");
    }
    Tool named =
        tools.stream()
            .filter(t -> t.name().equals(name))
            .findFirst()
            .orElseThrow(() -> KilnException.invalid("'tool_choice' names '" + name + "', which is not in 'tools'"));
    return new OpenAiStructured(tools, true, ToolGrammar.calls(List.of(named), false, limits));
  }

  private static OutputFormat format(JsonNode f) {
    if (f == null || f.isNull()) {
      return new OutputFormat.Text();
    }
    String type = f.path("type").asText("");
    return switch (type) {
      case "text" -> new OutputFormat.Text();
      case "json_object" -> new OutputFormat.JsonObject();
      case "json_schema" -> {
        JsonNode js = f.get("json_schema");
        if (js == null || !js.isObject() || !NAME.matcher(js.path("name").asText("")).matches()) {
          throw KilnException.invalid(
              "'response_format.json_schema' must be an object with a 'name' of 1 to 64 letters, digits, _ or -");
        }
        JsonNode strict = js.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
          throw KilnException.invalid("'response_format.json_schema.strict' must be a boolean");
        }
        JsonNode schema = js.get("schema");
        if (schema == null || !schema.isObject()) {
          throw KilnException.invalid("'response_format.json_schema.schema' must be a JSON schema (an object)");
        }
        yield new OutputFormat.JsonSchema("response_format.json_schema.schema", schema);
      }
      default ->
          throw KilnException.invalid("'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
    };
  }

  private static List<Tool> tools(JsonNode ts, boolean chat) {
    if (ts == null || ts.isNull()) {
      return List.of();
    }
    if (!chat) {
      throw KilnException.invalid("'tools' are for /v1/chat/completions");
    }
    if (!ts.isArray() || ts.size() > MAX_TOOLS) {
      throw KilnException.invalid("'tools' must be an array of at most " + MAX_TOOLS + " tools");
    }
    List<Tool> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ts.size(); i++) {
      JsonNode t = ts.get(i);
      JsonNode fn = t.path("function");
      String name = fn.path("name").asText("");
      if (!"function".equals(t.path("type").asText()) || !fn.isObject() || !NAME.matcher(name).matches()) {
        throw KilnException.invalid(
            "tools["
                + i
                + "] must be {\"type\": \"function\", \"function\": {\"name\": ...}} with a name of 1 to 64"
                + " letters, digits, _ or -");
      }
      if (!names.add(name)) {
        throw KilnException.invalid("tools[" + i + "].function.name: '" + name + "' is listed twice");
      }
      JsonNode params = fn.get("parameters");
      if (params != null && !params.isNull() && !params.isObject()) {
        throw KilnException.invalid("tools[" + i + "].function.parameters must be a JSON schema (an object)");
      }
      String description = fn.path("description").isTextual() ? fn.get("description").asText() : "";
      out.add(new Tool(name, description, params == null || params.isNull() ? "{}" : params.toString()));
    }
    return out;
  }
}
