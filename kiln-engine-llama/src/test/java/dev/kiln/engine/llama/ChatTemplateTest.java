package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.Tool;
import dev.kiln.core.llm.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
  private static final List<ChatMessage> HI = List.of(new ChatMessage("user", "hi"));

  @TempDir Path dir;

  @Test
  void theTestModelsTemplateListsToolsAndReplaysCallsAndResults() {
    List<ChatMessage> conversation =
        List.of(
            new ChatMessage("user", "weather in Paris?"),
            new ChatMessage(
                "assistant", "", List.of(new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}")), ""),
            new ChatMessage("tool", "18 C", List.of(), "call_1"));
    String text =
        new ChatTemplate(TinyLlama.CHAT_TEMPLATE)
            .render(conversation, List.of(new Tool("get_weather", "Weather now", "{\"type\": \"object\"}")));
    assertThat(text)
        .isEqualTo(
            """
            <|im_start|>system
            You may call these functions. To call one, answer <tool_call>
            {"name": <name>, "arguments": <arguments>}
            </tool_call>
            {"name":"get_weather","description":"Weather now","parameters":{"type":"object"}}
            <|im_end|>
            <|im_start|>user
            weather in Paris?<|im_end|>
            <|im_start|>assistant
            <tool_call>
            {"name": "get_weather", "arguments": {"city":"Paris"}}
            </tool_call><|im_end|>
            <|im_start|>tool
            18 C<|im_end|>
            <|im_start|>assistant
            """);
  }

  @Test
  void withoutToolsItRendersAsLlamaCppDoes() {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 1);
    try (var model = new LlamaEngine(new LlamaOptions(128, 1, 1)).load(file)) {
      List<ChatMessage> chat = List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hello"));
      assertThat(new ChatTemplate(TinyLlama.CHAT_TEMPLATE).render(chat, List.of()))
          .isEqualTo(model.applyChatTemplate(chat));
    }
  }

  @Test
  void templatesCannotReadFiles() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "s3cret");
    for (String t :
        List.of(
            "{% include '" + secret + "' %}",
            "{% import '" + secret + "' as x %}",
            "{% extends '" + secret + "' %}",
            "{% from '" + secret + "' import y %}")) {
      String out;
      try {
        out = new ChatTemplate(t).render(HI, List.of());
      } catch (KilnException e) {
        out = e.getMessage();
      }
      assertThat(out).as(t).doesNotContain("s3cret");
    }
    for (String reflective :
        List.of("{{ messages.getClass().getName() }}", "{{ ''.getClass() }}", "{{ messages.class }}")) {
      String out;
      try {
        out = new ChatTemplate(reflective).render(HI, List.of());
      } catch (KilnException e) {
        out = "refused";
      }
      assertThat(out).as(reflective).doesNotContain("java.");
    }
  }

  @Test
  void loopsAndOutputAreBounded() {
    assertThat(new ChatTemplate("{% for i in range(100000000) %}x{% endfor %}").render(HI, List.of()))
        .hasSize(ChatTemplate.MAX_RANGE);
    String huge = "{% for i in range(10000) %}{% for j in range(10000) %}xxxxxxxxxx{% endfor %}{% endfor %}";
    assertThatThrownBy(() -> new ChatTemplate(huge).render(HI, List.of()))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("chat template failed");
    String recursive = "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}";
    String out;
    try {
      out = new ChatTemplate(recursive).render(HI, List.of());
    } catch (KilnException e) {
      out = "";
    }
    assertThat(out).hasSizeLessThan(100); // recursive macros are off: the call renders nothing
  }

  @Test
  void aTemplateThatFailsSaysWhy() {
    assertThatThrownBy(
            () -> new ChatTemplate("{{ raise_exception('Conversation roles must alternate') }}").render(HI, List.of()))
        .hasMessage("messages: the model's chat template failed: line 1: Conversation roles must alternate");
    assertThatThrownBy(() -> new ChatTemplate("{% for m in messages %}").render(HI, List.of()))
        .isInstanceOf(KilnException.class)
        .hasMessageStartingWith("messages: the model's chat template failed: line 1");
  }
}
