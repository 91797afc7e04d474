package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextPreprocessingTest {
  private final TextPreprocessing pre = new TextPreprocessing(List.of("the", "movie", "was", "great", "b2b"), 5);

  @Test
  void javaIdsLowercaseSplitOnPunctuationAndMarkUnknownWords() {
    assertThat(pre.ids("The MOVIE, was... terrible!")).containsExactly(2, 3, 4, 1, 0);
    assertThat(pre.ids("")).containsExactly(0, 0, 0, 0, 0);
    assertThat(pre.ids("great great great the movie was b2b")).containsExactly(5, 5, 5, 2, 3);
  }

  @Test
  void onnxGraphGivesTheSameIdsAsJava() throws Exception {
    String[] texts = {
      "The MOVIE, was... terrible!",
      "",
      "great great great the movie was b2b",
      "b2b-great?",
      "  ÉCOLE was great  ",
      "!!!",
      "unknown words only here"
    };
    float[] onnx = OrtRun.run(pre, 2, Map.of("text", texts));
    assertThat(onnx).containsExactly(pre.apply(List.of(texts)));
  }

  @Test
  void onnxGraphHandlesABatchWhereEveryTextIsEmpty() throws Exception {
    String[] texts = {"", "..."};
    assertThat(OrtRun.run(pre, 2, Map.of("text", texts))).containsExactly(new float[10]);
  }

  @Test
  void storedBeforeTokenisationModesReadsAsLowerCasedWords() throws Exception {
    Preprocessing p =
        new ObjectMapper().readValue("{\"kind\":\"text\",\"vocabulary\":[\"a\"],\"maxLength\":3}", Preprocessing.class);
    assertThat(((TextPreprocessing) p).tokenization()).isEqualTo(Tokenization.LEGACY);
  }
}
