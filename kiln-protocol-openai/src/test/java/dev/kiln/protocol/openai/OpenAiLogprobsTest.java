package dev.kiln.protocol.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenAI's two log-probability shapes, and how n and the log-probability fields are read. */
class OpenAiLogprobsTest {
  static TokenLogprob token(String text, double logprob, TokenLogprob... top) {
    return new TokenLogprob(text, text.getBytes(StandardCharsets.UTF_8), logprob, List.of(top));
  }

  static final List<TokenLogprob> TOKENS =
      List.of(
          token("hé", -0.5, token("hé", -0.5), token("ho", -1.5)),
          token(" you", -0.25, token(" you", -0.25), token(" me", -2)));

  @Test
  void chatShapeHasOneEntryPerTokenWithBytesAndAlternatives() {
    JsonNode lp = OpenAiLogprobs.chat(TOKENS);
    assertThat(lp.get("content")).hasSize(2);
    assertThat(lp.at("/content/0/token").asText()).isEqualTo("hé");
    assertThat(lp.at("/content/0/logprob").asDouble()).isEqualTo(-0.5);
    assertThat(lp.at("/content/0/bytes").toString()).isEqualTo("[104,195,169]");
    assertThat(lp.at("/content/1/top_logprobs/1/token").asText()).isEqualTo(" me");
    assertThat(lp.at("/content/1/top_logprobs/1/bytes")).hasSize(3);
    assertThat(lp.get("refusal").isNull()).isTrue();
  }

  @Test
  void legacyShapeOffsetsCountFromTheGivenStart() {
    JsonNode lp = OpenAiLogprobs.legacy(TOKENS, 7);
    assertThat(lp.get("tokens").toString()).isEqualTo("[\"hé\",\" you\"]");
    assertThat(lp.get("token_logprobs").toString()).isEqualTo("[-0.5,-0.25]");
    assertThat(lp.get("text_offset").toString()).isEqualTo("[7,9]");
    assertThat(lp.at("/top_logprobs/0/ho").asDouble()).isEqualTo(-1.5);
  }

  static OpenAiChoosing read(String json, boolean chat) {
    return OpenAiChoosing.read(OpenAiRequests.body(json.getBytes(StandardCharsets.UTF_8)), chat, 8);
  }

  @Test
  void choosingReadsEachFieldAsOpenAiDefinesIt() {
    assertThat(read("{}", true)).isEqualTo(new OpenAiChoosing(1, Generation.NO_LOGPROBS));
    assertThat(read("{\"n\":3,\"logprobs\":true}", true)).isEqualTo(new OpenAiChoosing(3, 0));
    assertThat(read("{\"logprobs\":true,\"top_logprobs\":20}", true).logprobs()).isEqualTo(20);
    assertThat(read("{\"logprobs\":false,\"top_logprobs\":0}", true).wantsLogprobs()).isFalse();
    assertThat(read("{\"logprobs\":0}", false).logprobs()).isZero();
    assertThat(read("{\"logprobs\":null,\"n\":null}", false)).isEqualTo(new OpenAiChoosing(1, -1));
    for (String bad :
        new String[] {
          "{\"n\":9}",
          "{\"n\":0}",
          "{\"n\":-1}",
          "{\"n\":1.5}",
          "{\"n\":true}",
          "{\"logprobs\":\"yes\"}",
          "{\"logprobs\":true,\"top_logprobs\":21}",
          "{\"top_logprobs\":1}"
        }) {
      assertThatThrownBy(() -> read(bad, true)).as(bad).isInstanceOf(KilnException.class);
    }
    assertThatThrownBy(() -> read("{\"logprobs\":6}", false)).hasMessageContaining("'logprobs'");
    assertThatThrownBy(() -> read("{\"logprobs\":true}", false)).hasMessageContaining("'logprobs'");
  }
}
