package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import dev.kiln.training.data.Tokenization.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenizationTest {
  static final String[] MIXED = {
    "人工智能（AI）大模型GPT-4在2023年发布",
    "ChatGPT和BERT模型的准确率达到95.5%，提高了3倍",
    "東京タワーはとても高いです",
    "ภาษาไทยง่ายมาก ok",
    "Ｆｕｌｌ－ｗｉｄｔｈ ＡＩ １２３",
    "  ÉCOLE naïve Straße, B2B-great?  ",
    "한국어 문장입니다",
    "好的!!",
    "a#b c\u3000d  e\u00a0f",
    "",
    "。。。"
  };

  private final Tokenization chars = new Tokenization(Mode.CHARS, true, false);

  @Test
  void charsModeSplitsHanKanaAndThaiIntoCharactersTheRestIntoWordsAndKeepsPunctuation() {
    assertThat(chars.tokens(MIXED[0]))
        .containsExactly(
            "人", "工", "智", "能", "（", "ai", "）", "大", "模", "型", "gpt", "-", "4", "在", "2023", "年", "发", "布");
    assertThat(chars.tokens("95.5%，好　ok\t\u200b!")).containsExactly("95", ".", "5", "%", "，", "好", "ok", "!");
    assertThat(chars.tokens("東京タワー")).containsExactly("東", "京", "タ", "ワ", "ー");
    assertThat(chars.tokens("ไทย ok")).containsExactly("ไ", "ท", "ย", "ok");
    assertThat(chars.tokens("한국어 문장")).containsExactly("한국어", "문장");
    assertThat(new Tokenization(Mode.CHARS, false, false).tokens("GPT模型")).containsExactly("GPT", "模", "型");
  }

  @Test
  void wordsModeKeepsAHanRunAsOneToken() {
    assertThat(Tokenization.LEGACY.tokens(MIXED[0])).containsExactly("人工智能", "ai", "大模型gpt", "4在2023年发布");
  }

  @Test
  void normalizeFoldsFullWidthFormsBeforeTokenising() {
    assertThat(new Tokenization(Mode.CHARS, true, true).tokens(MIXED[4]))
        .containsExactly("full", "-", "width", "ai", "123");
    assertThat(chars.tokens(MIXED[4])).containsExactly("ｆｕｌｌ", "－", "ｗｉｄｔｈ", "ａｉ", "１２３");
  }

  @Test
  void autoPicksCharsWhenATenthOfTheLettersAreHanKanaOrThai() {
    assertThat(Tokenization.detect(List.of(MIXED[0], MIXED[1]))).isEqualTo(Mode.CHARS);
    assertThat(Tokenization.detect(List.of("The movie was great", "a 中"))).isEqualTo(Mode.WORDS);
    assertThat(Tokenization.detect(List.of("ภาษาไทย"))).isEqualTo(Mode.CHARS);
    assertThat(Tokenization.detect(List.of("", "123"))).isEqualTo(Mode.WORDS);
  }

  @Test
  void onnxRuntimeTokenisesMixedScriptTextExactlyAsJavaDoes() throws Exception {
    for (Tokenization t :
        List.of(
            chars,
            Tokenization.LEGACY,
            new Tokenization(Mode.CHARS, false, false),
            new Tokenization(Mode.WORDS, false, false))) {
      List<List<String>> onnx = onnxTokens(t, MIXED);
      for (int i = 0; i < MIXED.length; i++) {
        assertThat(onnx.get(i)).as("%s on '%s'", t, MIXED[i]).isEqualTo(t.tokens(MIXED[i]));
      }
    }
  }

  /** The graph's tokens for each text, padding removed. */
  static List<List<String>> onnxTokens(Tokenization t, String[] texts) throws Exception {
    OnnxGraphBuilder g = new OnnxGraphBuilder("tokens");
    g.input("text", DataType.BYTES, -1);
    String tokens = t.appendOnnx(g, "text");
    g.node("Identity", List.of(tokens), List.of("out"));
    g.output("out", DataType.BYTES, -1, -1);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(g.toBytes(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, texts, new long[] {texts.length});
        OrtSession.Result r = s.run(Map.of("text", in))) {
      Object value = r.get(0).getValue();
      List<List<String>> out = new ArrayList<>();
      for (String[] row : (String[][]) value) {
        out.add(Arrays.stream(row).filter(x -> !x.equals(Tokenization.PAD_TOKEN)).toList());
      }
      return out;
    }
  }
}
