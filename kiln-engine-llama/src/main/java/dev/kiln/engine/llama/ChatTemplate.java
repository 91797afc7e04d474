package dev.kiln.engine.llama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.Tool;
import dev.kiln.core.llm.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A model's chat template (GGUF {@code tokenizer.chat_template}) rendered in Java with Jinjava, for conversations that
 * llama.cpp's binding cannot format: tools, assistant tool calls and {@code tool} messages. Variables as Hugging Face
 * templates expect them: {@code messages} (role, content, {@code tool_calls} with {@code function.arguments} as an
 * object, {@code tool_call_id}), {@code tools} (OpenAI's shape), {@code add_generation_prompt}, and empty {@code
 * bos_token}/{@code eos_token} (llama.cpp's tokenizer adds BOS itself), with {@code trim_blocks} and {@code
 * lstrip_blocks} on as transformers renders them.
 *
 * <p>The template comes with the model file, so it is sandboxed: no file or classpath access ({@code include}, {@code
 * import}, {@code from}, {@code extends} are disabled and the resource locator refuses), no recursive macros, ranges of
 * at most {@value #MAX_RANGE}, lists and maps of at most {@value #MAX_ITEMS}, output of at most {@value #MAX_OUTPUT}
 * characters, nesting of at most {@value #MAX_DEPTH}. Loops can only walk what these bound. A template that fails says
 * so, with its first error, as a 400.
 */
final class ChatTemplate {
  private static final Logger LOG = Logger.getLogger(ChatTemplate.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_OUTPUT = 1 << 20;
  static final int MAX_RANGE = 10_000;
  static final int MAX_ITEMS = 10_000;
  static final int MAX_DEPTH = 20;

  private final String template;
  private final Jinjava jinjava;

  ChatTemplate(String template) {
    this.template = template;
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withMaxOutputSize(MAX_OUTPUT)
            .withMaxStringLength(MAX_OUTPUT)
            .withRangeLimit(MAX_RANGE)
            .withMaxListSize(MAX_ITEMS)
            .withMaxMapSize(MAX_ITEMS)
            .withMaxRenderDepth(MAX_DEPTH)
            .withEnableRecursiveMacroCalls(false)
            .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
            .build();
    jinjava = new Jinjava(config);
    jinjava.setResourceLocator((name, charset, interpreter) -> {
      throw new IOException("templates cannot read files");
    });
    jinjava.registerFunction(
        new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raise", String.class));
  }

  /** The GGUF's {@code tokenizer.chat_template}, if it has one. */
  static Optional<ChatTemplate> of(GgufFile gguf) {
    return gguf.get("tokenizer.chat_template").filter(String.class::isInstance).map(t -> new ChatTemplate((String) t));
  }

  static String render(Optional<ChatTemplate> template, List<ChatMessage> messages, List<Tool> tools) {
    return template
        .orElseThrow(() -> KilnException.invalid("'tools': this model's GGUF file has no chat template"))
        .render(messages, tools);
  }

  /** For {@code raise_exception(message)}, which Hugging Face templates call for a conversation they refuse. */
  public static String raise(String message) {
    throw new Raised(message);
  }

  private static final class Raised extends RuntimeException {
    Raised(String message) {
      super(message, null, false, false);
    }
  }

  /** The conversation, ending with the assistant's turn opened. */
  String render(List<ChatMessage> messages, List<Tool> tools) {
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("messages", messages.stream().map(ChatTemplate::message).toList());
    vars.put("tools", tools.isEmpty() ? null : tools.stream().map(ChatTemplate::tool).toList());
    vars.put("add_generation_prompt", true);
    vars.put("bos_token", "");
    vars.put("eos_token", "");
    RenderResult r;
    try {
      r = jinjava.renderForResult(template, vars);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "chat template failed", e);
      throw failed(e.getMessage());
    }
    for (TemplateError e : r.getErrors()) {
      Throwable raised = e.getException();
      while (raised != null && !(raised instanceof Raised)) {
        raised = raised.getCause();
      }
      if (e.getSeverity() == TemplateError.ErrorType.FATAL || raised != null) {
        throw failed("line " + e.getLineno() + ": " + (raised != null ? raised.getMessage() : e.getMessage()));
      }
    }
    return r.getOutput();
  }

  private static KilnException failed(String why) {
    String s = why == null ? "" : why.length() > 300 ? why.substring(0, 300) + "..." : why;
    return KilnException.invalid("messages: the model's chat template failed: " + s);
  }

  private static Map<String, Object> message(ChatMessage m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("role", m.role());
    out.put("content", m.content());
    if (!m.toolCalls().isEmpty()) {
      List<Object> calls = new ArrayList<>();
      for (ToolCall c : m.toolCalls()) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", c.name());
        function.put("arguments", parsed(c.arguments()));
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", c.id());
        call.put("type", "function");
        call.put("function", function);
        calls.add(call);
      }
      out.put("tool_calls", calls);
    }
    if (!m.toolCallId().isEmpty()) {
      out.put("tool_call_id", m.toolCallId());
    }
    return out;
  }

  private static Map<String, Object> tool(Tool t) {
    Map<String, Object> function = new LinkedHashMap<>();
    function.put("name", t.name());
    function.put("description", t.description());
    function.put("parameters", parsed(t.parameters()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", "function");
    out.put("function", function);
    return out;
  }

  /** JSON text as maps and lists, as templates index it; text that is not JSON stays text. */
  private static Object parsed(String json) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      return json;
    }
  }
}
