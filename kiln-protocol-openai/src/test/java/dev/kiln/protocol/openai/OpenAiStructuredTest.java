package dev.kiln.protocol.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.JsonLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiStructuredTest {
  private static final String TOOLS =
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"type\":\"object\"}}},"
          + "{\"type\":\"function\",\"function\":{\"name\":\"b\"}}]";

  private static OpenAiStructured of(String fields) {
    JsonNode body = OpenAiRequests.body(("{" + fields + "}").getBytes(StandardCharsets.UTF_8));
    return OpenAiStructured.of(body, true, JsonLimits.defaults());
  }

  @Test
  void eachToolChoiceGetsItsGrammar() {
    assertThat(of("").grammar()).isEmpty();
    assertThat(of("").readsCalls()).isFalse();
    OpenAiStructured auto = of(TOOLS);
    assertThat(auto.readsCalls()).isTrue();
    assertThat(auto.tools()).hasSize(2);
    assertThat(auto.grammar()).contains("[^<]").contains("\\\"name\\\": \\\"a\\\"").contains("\\\"name\\\": \\\"b\\\"");
    OpenAiStructured none = of(TOOLS + ",\"tool_choice\":\"none\"");
    assertThat(none.tools()).isEmpty();
    assertThat(none.grammar()).isEmpty();
    OpenAiStructured required = of(TOOLS + ",\"tool_choice\":\"required\"");
    assertThat(required.grammar())
        .doesNotContain("[^<]")
        .containsPattern("root ::= \\(call-\\d+ \\(\"\\\\n\" call-\\d+\\)\\{0,31}\\)\n");
    OpenAiStructured single = of(TOOLS + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false");
    assertThat(single.grammar()).containsPattern("root ::= call-\\d+\n");
    OpenAiStructured named = of(TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"b\"}}");
    assertThat(named.grammar()).contains("\\\"name\\\": \\\"b\\\"").doesNotContain("\\\"name\\\": \\\"a\\\"");
    assertThat(of("\"response_format\":{\"type\":\"json_object\"}").grammar()).startsWith("root ::= object");
  }

  @Test
  void badRequestsNameTheirField() {
    assertThatThrownBy(() -> of("\"tool_choice\":\"auto\"")).hasMessage("'tool_choice' needs 'tools'");
    assertThatThrownBy(() -> of("\"tools\":{}")).hasMessageContaining("'tools' must be an array");
    assertThatThrownBy(() -> of("\"response_format\":{\"type\":\"json_schema\"}"))
        .hasMessageContaining("'response_format.json_schema' must be an object with a 'name'");
    assertThatThrownBy(() -> of("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}"))
        .hasMessageContaining("'response_format.json_schema.schema' must be a JSON schema");
    assertThatThrownBy(() ->
            of(
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"type\":\"object\","
                    + "\"properties\":{\"x\":{\"type\":\"string\",\"pattern\":\"(a+)+$\"}}}}}]"))
        .isInstanceOf(KilnException.class)
        .hasMessage("tools[0].function.parameters: unsupported schema features: pattern (at /properties/x)");
    JsonNode completions = OpenAiRequests.body(("{" + TOOLS + "}").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> OpenAiStructured.of(completions, false, JsonLimits.defaults()))
        .hasMessage("'tools' are for /v1/chat/completions");
  }

  @Test
  void streamedCallsCarryIndexIdNameThenFragmentsAndTheWholeAnswerAgrees() {
    OpenAiChunks chunks = new OpenAiChunks("chatcmpl-1", 0, "m", true);
    AnswerText answer = new AnswerText(chunks, true);
    String text = "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n</tool_call>";
    List<ObjectNode> sent = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 5) {
      sent.addAll(answer.add(text.substring(i, Math.min(text.length(), i + 5))));
    }
    JsonNode first = sent.get(0).at("/choices/0/delta/tool_calls/0");
    assertThat(first.get("index").asInt()).isZero();
    assertThat(first.get("id").asText()).startsWith("call_");
    assertThat(first.at("/function/name").asText()).isEqualTo("a");
    StringBuilder args = new StringBuilder();
    sent.stream().skip(1).forEach(c -> args.append(c.at("/choices/0/delta/tool_calls/0/function/arguments").asText()));
    assertThat(args).hasToString("{\"x\": 1}");
    assertThat(answer.finishChunk(FinishReason.STOP).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode whole = answer.complete(FinishReason.STOP, 3, 9).at("/choices/0");
    assertThat(whole.at("/message/content").isNull()).isTrue();
    assertThat(whole.at("/message/tool_calls/0/id").asText()).isEqualTo(first.get("id").asText());
    assertThat(whole.at("/message/tool_calls/0/function/arguments").asText()).isEqualTo("{\"x\": 1}");
    assertThat(whole.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(answer.finishChunk(FinishReason.LENGTH).at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }
}
