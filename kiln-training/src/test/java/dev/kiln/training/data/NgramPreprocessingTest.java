package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.training.data.Tokenization.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NgramPreprocessingTest {
  private static final List<String> TRAIN = List.of("人工智能大模型", "大模型的GPT-4", "人工智能AI和GPT", "模型在2023年", "AI大模型AI");

  private static TextFeatures fit(int ngrams) {
    TextOptions t = new TextOptions(null, TextOptions.Features.TFIDF, ngrams, null, null, null);
    return TextFitter.fit(TRAIN, PrepareOptions.defaults().withText(t));
  }

  @Test
  void vocabularyHoldsCharacterAndWordNgramsShortestFirstWithSmoothedIdf() {
    NgramPreprocessing bag = (NgramPreprocessing) fit(2);
    assertThat(bag.tokenization().mode()).isEqualTo(Mode.CHARS);
    List<String> v = bag.vocabulary();
    assertThat(v).contains("模", "ai", "gpt", "4", "2023", "大 模", "模 型", "ai 大", "gpt -", "- 4");
    assertThat(v.indexOf("模 型")).isGreaterThan(v.indexOf("2023"));
    // "模" is in 4 of 5 texts: ln(6 / 5) + 1.
    assertThat((double) bag.idf()[v.indexOf("模")]).isCloseTo(Math.log(6.0 / 5) + 1, within(1e-6));
  }

  @Test
  void rowsAreUnitLengthTfidfAndUnseenTextIsZeros() {
    NgramPreprocessing bag = (NgramPreprocessing) fit(1);
    float[] rows = bag.apply(List.of("模型模型", "ＸＹＺ 〇〇"));
    int w = bag.width();
    double norm = 0;
    for (int k = 0; k < w; k++) {
      norm += rows[k] * rows[k];
      assertThat(rows[w + k]).isZero();
    }
    assertThat(norm).isCloseTo(1, within(1e-6));
    float ratio = rows[bag.vocabulary().indexOf("模")] / rows[bag.vocabulary().indexOf("型")];
    assertThat((double) ratio)
        .isCloseTo(bag.idf()[bag.vocabulary().indexOf("模")] / bag.idf()[bag.vocabulary().indexOf("型")], within(1e-6));
  }

  @Test
  void minCountDropsRareNgrams() {
    TextOptions t = new TextOptions(null, TextOptions.Features.TFIDF, 2, null, null, 2);
    NgramPreprocessing bag = (NgramPreprocessing) TextFitter.fit(TRAIN, PrepareOptions.defaults().withText(t));
    assertThat(bag.vocabulary()).contains("大 模", "ai").doesNotContain("2023", "年");
  }

  @Test
  void onnxGraphGivesTheSameRowsAsJavaOnMixedScriptText() throws Exception {
    for (int n = 1; n <= 3; n++) {
      TextFeatures bag = fit(n);
      float[] onnx = OrtRun.run(bag, 2, Map.of("text", TokenizationTest.MIXED));
      float[] java = bag.apply(List.of(TokenizationTest.MIXED));
      assertThat(onnx).hasSameSizeAs(java);
      for (int i = 0; i < java.length; i++) {
        assertThat(onnx[i]).as("n=%d, element %d", n, i).isCloseTo(java[i], within(1e-6f));
      }
    }
  }

  @Test
  void onnxGraphHandlesABatchWhereEveryTextIsEmpty() throws Exception {
    TextFeatures bag = fit(2);
    assertThat(OrtRun.run(bag, 2, Map.of("text", new String[] {"", "..."}))).containsOnly(0f).hasSize(2 * bag.width());
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    NgramPreprocessing bag = (NgramPreprocessing) fit(3);
    ObjectMapper json = new ObjectMapper();
    String s = json.writeValueAsString(bag);
    assertThat(s).contains("\"kind\":\"ngrams\"", "\"mode\":\"chars\"");
    NgramPreprocessing back = (NgramPreprocessing) json.readValue(s, Preprocessing.class);
    assertThat(back.vocabulary()).isEqualTo(bag.vocabulary());
    assertThat(back.idf()).containsExactly(bag.idf());
    assertThat(back.tokenization()).isEqualTo(bag.tokenization());
    assertThat(back.ngrams()).isEqualTo(3);
  }
}
