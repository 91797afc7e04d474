package dev.kiln.protocol.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The access check's model name, read by streaming past the body: it must name the model the handler then calls
 * (Jackson's tree keeps the last of duplicate keys), and never one nested deeper.
 */
class OpenAiRequestsTest {
  static String modelOf(String json) {
    return OpenAiRequests.modelOf(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theModelCheckedIsTheModelCalled() {
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"model\":\"nested\"}],\"model\":\"a\","
            + "\"extra\":{\"model\":\"deeper\"},\"model\":\"b\"}";
    assertThat(modelOf(body))
        .isEqualTo("b")
        .isEqualTo(OpenAiRequests.body(body.getBytes(StandardCharsets.UTF_8)).get("model").asText());
    assertThat(modelOf("{\"messages\":[],\"model\":\"tiny\"}")).isEqualTo("tiny");
  }

  @Test
  void noModelNameWhereTheBodyGivesNone() {
    assertThat(modelOf("{\"model\":7}")).isNull();
    assertThat(modelOf("{\"model\":\"a\",\"model\":null}")).isNull();
    assertThat(modelOf("{\"messages\":[]}")).isNull();
    assertThat(modelOf("[\"model\"]")).isNull();
    assertThat(modelOf("{\"model\":\"a\", broken")).isNull();
    assertThat(modelOf("")).isNull();
  }
}
